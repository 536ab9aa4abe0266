from __future__ import annotations

import pytest

from pipeline.cli.demo_cmd import default_config
from pipeline.config import load_config
from pipeline.generate import generate_extracts
from pipeline.prepare import prepare

ROWS = 2000


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return generate_extracts(tmp_path_factory.mktemp("extract"), rows=ROWS, seed=11)


@pytest.fixture(scope="module")
def prepared(extract):
    return prepare(load_config(default_config()), extract)
