"""Config gate one: errors name the file, the YAML path, what was found and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import ConfigError

BASE = """
release:
  dataset_name: テスト
privacy:
  k: 5
  suppression_limit: 0.02
  reference_date: 2026-04-01
tables:
  t:
    file: t.csv
    person_key: id
    columns:
      id: {role: linking_code, output: キー}
      name: {role: identifier}
      sex: {role: quasi_identifier, type: sex, hierarchy: {kind: flat}}
      memo: {role: free_text}
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "c.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_valid_config_loads_typed(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, BASE))
    t = cfg.table("t")
    assert cfg.privacy.k == 5 and cfg.privacy.reference_date.isoformat() == "2026-04-01"
    assert t.column("id").output_name == "キー" and not t.column("name").kept and not t.column("memo").kept
    assert t.column("sex").hierarchy is not None and t.column("sex").hierarchy.kind == "flat"
    assert len(cfg.sha256) == 64
    assert (cfg.privacy.max_exact_lattice, cfg.privacy.max_search_nodes) == (2_000_000, 20_000)
    tuned = load_config(write(tmp_path, BASE.replace("k: 5", "k: 5\n  max_search_nodes: 500")))
    assert tuned.privacy.max_search_nodes == 500


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "role: identifier",
            "role: identifer",
            r"tables\.t\.columns\.name\.role: 'identifer' is not allowed \(did you mean 'identifier'\?\)",
        ),
        ("k: 5", "k: 1", r"privacy\.k: k must be at least 2"),
        ("k: 5", "k: five", r"privacy\.k: expected an integer"),
        ("suppression_limit: 0.02", "suppression_limit: 1.5", r"privacy\.suppression_limit: must be in"),
        ("reference_date: 2026-04-01", "reference_date: someday", r"privacy\.reference_date"),
        ("kind: flat", "kind: flatt", r"hierarchy\.kind: 'flatt' is not allowed \(did you mean 'flat'\?\)"),
        ("person_key: id", "person_key: idd",
         r"person_key: 'idd' is not a column of this table \(did you mean 'id'\?\)"),
        ("person_key: id", "person_key: name", r"person key must be a linking_code"),
        ("dataset_name: テスト", "dataset_nam: テスト",
         r"unknown key 'dataset_nam' \(did you mean 'dataset_name'\?\)"),
        ("sex: {role: quasi_identifier, type: sex, hierarchy: {kind: flat}}", "sex: {role: quasi_identifier}",
         r"a quasi_identifier needs a hierarchy"),
        ("k: 5", "k: 5\n  max_search_nodes: 0",
         r"privacy\.max_search_nodes: must be a positive number of nodes"),
        ("k: 5", "k: 5\n  max_exact_lattice: -3", r"privacy\.max_exact_lattice: must be a positive number"),
        ("k: 5", "k: 5\n  recoding: locale",
         r"privacy\.recoding: 'locale' is not allowed \(did you mean 'local'\?\); "
         r"allowed: global, local, auto"),
        ("k: 5", "k: 5\n  recoding: local\n  metric: entropy", r"privacy\.metric: local recoding minimises"),
    ],
)
def test_errors_name_file_path_and_allowed(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in BASE
    p = write(tmp_path, BASE.replace(old, new))
    with pytest.raises(ConfigError, match=expected) as exc:
        load_config(p)
    assert str(p) in str(exc.value)


def test_third_party_needs_method_of_provision(tmp_path: Path) -> None:
    p = write(tmp_path, BASE.replace("dataset_name: テスト", "dataset_name: テスト\n  audience: third_party\n"
                                      "  recipient_category: 再保険会社"))
    with pytest.raises(ConfigError, match="provision_method: is required when audience is third_party"):
        load_config(p)


def test_other_legal_category_refused(tmp_path: Path) -> None:
    p = write(tmp_path, BASE.replace("dataset_name: テスト",
                                      "dataset_name: テスト\n  legal_category: 仮名加工情報"))
    with pytest.raises(ConfigError, match="allowed: 匿名加工情報"):
        load_config(p)


def test_numeric_attribute_needs_top_code(tmp_path: Path) -> None:
    p = write(tmp_path, BASE.replace("memo: {role: free_text}", "amt: {role: attribute, type: amount}"))
    with pytest.raises(ConfigError, match="needs top_code"):
        load_config(p)


def test_age_hierarchy_bands_must_nest(tmp_path: Path) -> None:
    p = write(tmp_path, BASE.replace("memo: {role: free_text}",
                                     "dob: {role: quasi_identifier, type: date, hierarchy: "
                                     "{kind: age, bands: [5, 7], top_code: 90}}"))
    with pytest.raises(ConfigError, match="each must divide the next"):
        load_config(p)


def test_repo_configs_load() -> None:
    root = Path(__file__).resolve().parents[1] / "configs"
    for p in sorted(root.glob("*.yaml")):
        cfg = load_config(p)
        assert cfg.tables


SENSITIVE = "memo: {role: free_text}\n      病名: {role: sensitive}"
MODELS_BASE = BASE.replace("memo: {role: free_text}", SENSITIVE) + """\
    models:
      - {name: distinct-l-diversity, column: 病名, l: 2}
      - MODEL
"""


@pytest.mark.parametrize(
    ("model", "path", "expected"),
    [
        ("{name: equal-distance-t-closeness, column: 病名, t: 1.5}", "models[1].t",
         "must be in [0, 1], found 1.5"),
        ("{name: ordered-distance-t-closeness, column: 病名, t: -0.1}", "models[1].t", "must be in [0, 1]"),
        ("{name: entropy-l-diversity, column: 病名, l: 0}", "models[1].l", "must be at least 1, found 0"),
        ("{name: distinct-l-diversity, column: 病名, l: 2.5}", "models[1].l", "must be a whole number"),
        ("{name: recursive-cl-diversity, column: 病名, l: 2, c: 0}", "models[1].c", "must be above 0"),
        ("{name: recursive-cl-diversity, column: 病名, l: 2}", "models[1].c", "needs 'c'"),
        ("{name: recursive-cl-diversity, column: 病名, l: 2, c: .inf}", "models[1].c", "found inf"),
        ("{name: entropy-l-diversity, column: 病名, l: .nan}", "models[1].l", "found nan"),
        ("{name: entropy-l-diversity, column: 病名, l: two}", "models[1].l", "must be a number"),
        ("{name: entropy-l-diversity, column: 病名, l: true}", "models[1].l", "found bool"),
        ("{name: k-anonymity, k: 1}", "models[1].k", "must be at least 2"),
        ("{name: k-anonymity, k: 5.5}", "models[1].k", "must be an integer"),
        ("{name: k-anonymity, k: 5, column: 病名}", "models[1]", "unknown key 'column'"),
        ("{name: distinct-l-diversity, column: 病名, l: 2, t: 0.2}", "models[1]", "unknown key 't'"),
        ("{name: equal-distance-t-closeness, t: 0.2}", "models[1].column", "needs 'column'"),
        ("{name: t-closeness, column: 病名, t: 0.2}", "models[1].name", "'t-closeness' is not allowed"),
    ],
)
def test_model_parameters_fail_at_load_naming_the_yaml_path(tmp_path: Path, model: str, path: str,
                                                            expected: str) -> None:
    """Each model's own definition (``pipeline.privacy``) checks its parameters when the config loads."""
    p = write(tmp_path, MODELS_BASE.replace("MODEL", model))
    with pytest.raises(ConfigError) as exc:
        load_config(p)
    message = str(exc.value)
    assert message.startswith(f"{p}: tables.t.{path}: "), message
    assert expected in message, message


def test_model_parameters_load_as_the_model_checked_them(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MODELS_BASE.replace(
        "MODEL", "{name: recursive-cl-diversity, column: 病名, l: 3.0, c: 2}")))
    spec = cfg.table("t").models[1]
    assert (spec.name, spec.column, spec.l, spec.c) == ("recursive-cl-diversity", "病名", 3, 2)
    assert spec.t is None and spec.k is None


def test_a_bad_model_parameter_stops_the_run_before_any_input_is_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``anonymize run`` on a config whose input does not exist: the config error (exit 3) comes first."""
    from pipeline.cli.main import main

    bad = "{name: equal-distance-t-closeness, column: 病名, t: 1.5}"
    p = write(tmp_path, MODELS_BASE.replace("MODEL", bad))
    assert not (tmp_path / "t.csv").exists()
    code = main(["--quiet", "run", str(p), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 3, err
    assert f"{p}: tables.t.models[1].t: equal-distance-t-closeness: t must be in [0, 1], found 1.5" in err
    assert not (tmp_path / "out").exists()
