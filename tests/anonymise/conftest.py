from __future__ import annotations

import pytest

from pipeline.cli.demo_cmd import default_config
from pipeline.config import load_config
from pipeline.generate import generate_extracts
from pipeline.prepare import prepare


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A generated 2,000-policyholder extract with claims, prepared under the demo config."""
    files = generate_extracts(tmp_path_factory.mktemp("extract"), rows=2000, seed=11)
    return prepare(load_config(default_config()), files)
