"""``flask criteria import|export|check|load-default`` and the demo seeder."""

from __future__ import annotations

from sqlalchemy import func, select

from accelerator.criteria import document as documents
from accelerator.criteria import operations
from accelerator.criteria.models import FrameworkVersion, VersionStatus
from accelerator.extensions import db
from tests.criteria.helpers import framework_data, yaml_text


def _versions() -> list[tuple[str, VersionStatus]]:
    return list(
        db.session.execute(
            select(FrameworkVersion.version, FrameworkVersion.status).order_by(FrameworkVersion.id)
        ).tuples()
    )


def test_import_as_a_draft_then_publish(app, tmp_path):
    path = tmp_path / "cadre.yaml"
    path.write_text(yaml_text(), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["criteria", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "draft" in result.output
    path.write_text(yaml_text(framework_data(version="2026.2")), encoding="utf-8")
    result = runner.invoke(args=["criteria", "import", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert _versions() == [("2026.1", VersionStatus.draft), ("2026.2", VersionStatus.published)]


def test_a_bad_file_is_refused_with_each_line_and_nothing_is_written(app, tmp_path):
    data = framework_data()
    data["domains"][0]["weight"] = 0
    data["domains"][1]["criteria"][1]["code"] = "PEDA-01"
    path = tmp_path / "faux.yaml"
    path.write_text(yaml_text(data), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["criteria", "import", str(path), "--publish"])
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "domains[0].weight" in result.output
    assert "domains[1].criteria[1].code" in result.output
    assert "nothing was written" in result.output
    assert db.session.scalar(select(func.count(FrameworkVersion.id))) == 0


def test_check_validates_without_writing(app, tmp_path):
    path = tmp_path / "cadre.yaml"
    path.write_text(yaml_text(), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["criteria", "check", str(path)])
    assert result.exit_code == 0 and "3 domains, 5 criteria" in result.output
    assert db.session.scalar(select(func.count(FrameworkVersion.id))) == 0


def test_export_writes_the_import_format(app, tmp_path):
    operations.import_text(yaml_text(), publish=True)
    db.session.commit()
    runner = app.test_cli_runner()
    out = tmp_path / "export.yaml"
    result = runner.invoke(args=["criteria", "export", "2026.1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert documents.parse(out.read_text(encoding="utf-8")) == documents.parse(yaml_text())
    to_stdout = runner.invoke(args=["criteria", "export", "2026.1"])
    assert documents.parse(to_stdout.output) == documents.parse(yaml_text())
    assert runner.invoke(args=["criteria", "export", "1999.1"]).exit_code == 1


def test_load_default_is_idempotent(app, tmp_path, monkeypatch):
    path = tmp_path / "defaut.yaml"
    path.write_text(yaml_text(), encoding="utf-8")
    monkeypatch.setattr(operations, "DEFAULT_FILE", path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["criteria", "load-default"])
    assert first.exit_code == 0 and "loaded and published" in first.output
    second = runner.invoke(args=["criteria", "load-default"])
    assert second.exit_code == 0 and "already loaded" in second.output
    assert _versions() == [("2026.1", VersionStatus.published)]


def test_seed_demo_loads_the_framework(app, tmp_path, monkeypatch):
    path = tmp_path / "defaut.yaml"
    path.write_text(yaml_text(), encoding="utf-8")
    monkeypatch.setattr(operations, "DEFAULT_FILE", path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert _versions() == [("2026.1", VersionStatus.published)]
