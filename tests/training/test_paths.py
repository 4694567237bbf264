"""Training paths (parcours): trainers and managers draft them, a manager publishes them,
everyone reads the published ones (pages and API), nobody else reads a draft (404), and a
published path's modules no longer change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accelerator.accounts.models import Role, User
from accelerator.core.errors import Conflict
from accelerator.extensions import db
from accelerator.training import operations
from accelerator.training.models import PathStatus, TrainingPath
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_catalogue_solution, make_session


def _form(title: str, solutions, titles=()) -> dict:
    data = {"title": title, "description": "Pour les professeurs de collège."}
    for index, solution in enumerate(solutions):
        data[f"modules-{index}-solution_id"] = str(solution.id)
        data[f"modules-{index}-title"] = titles[index] if index < len(titles) else ""
    return data


def _draft(solutions, title="Parcours numérique au collège") -> TrainingPath:
    path = operations.create_path(
        make_user(Role.manager),
        {"title": title, "modules": [{"solution_id": s.id} for s in solutions]},
    )
    db.session.commit()
    return path


def _published(solutions, title="Parcours numérique au collège") -> TrainingPath:
    path = _draft(solutions, title)
    operations.publish_path(make_user(Role.manager), path)
    db.session.commit()
    return path


def test_a_trainer_drafts_a_path_of_modules_in_order_and_a_manager_publishes_it(client, login_as):
    first, second = make_catalogue_solution(name="Pix"), make_catalogue_solution(name="Lalilo")
    login_as(make_user(Role.trainer))
    response = client.post(
        "/parcours/nouveau", data=_form("Parcours", [second, first], ["Prise en main"])
    )
    assert response.status_code == 302
    path = db.session.scalar(db.select(TrainingPath))
    assert path.status == PathStatus.draft
    assert [(m.position, m.label) for m in path.modules] == [(1, "Prise en main"), (2, "Pix")]
    # A trainer designs, only a manager publishes.
    assert client.post(f"/parcours/{path.id}/publication").status_code == 403
    listing = client.get("/parcours").get_data(as_text=True)
    assert "est encore publié." in listing
    client.post("/deconnexion")

    login_as(make_user(Role.manager))
    assert client.post(f"/parcours/{path.id}/publication").status_code == 302
    db.session.expire_all()
    assert db.session.get(TrainingPath, path.id).status == PathStatus.published
    client.post("/deconnexion")
    public = client.get("/parcours")
    assert public.status_code == 200 and "Parcours" in public.get_data(as_text=True)
    assert client.get(f"/parcours/{path.id}").status_code == 200


def test_a_draft_is_read_by_its_designers_only(client, api, login_as):
    path = _draft([make_catalogue_solution(), make_catalogue_solution()])
    assert client.get(f"/parcours/{path.id}").status_code == 404
    assert api.get(f"/training/paths/{path.id}").status_code == 404
    assert api.get(f"/training/paths/{path.id}", user=make_user(Role.teacher)).status_code == 404
    assert api.get("/training/paths").json["total"] == 0
    trainer = make_user(Role.trainer)
    assert api.get(f"/training/paths/{path.id}", user=trainer).json["status"] == "draft"
    assert api.get("/training/paths", user=trainer).json["total"] == 1


def test_api_reads_published_paths(api):
    pix, lalilo = make_catalogue_solution(name="Pix"), make_catalogue_solution(name="Lalilo")
    path = _published([pix, lalilo])
    listing = api.get("/training/paths")
    assert listing.status_code == 200 and listing.json["total"] == 1
    item = api.get(f"/training/paths/{path.id}").json
    assert item["status"] == "published" and item["published_at"]
    assert [(m["position"], m["title"], m["solution"]["id"]) for m in item["modules"]] == [
        (1, "Pix", pix.id),
        (2, "Lalilo", lalilo.id),
    ]
    assert item["url"].endswith(f"/parcours/{path.id}")


@pytest.mark.parametrize(
    ("modules", "problem"),
    [
        ("twice", "Cette solution est déjà un module."),
        ("not_in_catalogue", None),
    ],
)
def test_bad_modules_are_refused_on_the_form_and_nothing_is_saved(
    client, login_as, modules, problem
):
    from tests.audits.factories import make_solution

    pix = make_catalogue_solution(name="Pix")
    other = pix if modules == "twice" else make_solution(name="Hors catalogue")
    db.session.commit()
    login_as(make_user(Role.manager))
    form = _form("Parcours", [pix, other])
    if modules == "not_in_catalogue":
        # not offered in the list: the form refuses it as an invalid choice
        response = client.post("/parcours/nouveau", data=form)
    else:
        response = client.post("/parcours/nouveau", data=form)
        assert problem in response.get_data(as_text=True)
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(TrainingPath)) == 0


def test_a_path_of_one_module_is_not_published():
    path = _draft([make_catalogue_solution()])
    with pytest.raises(Conflict, match="au moins 2 modules"):
        operations.publish_path(make_user(Role.manager), path)


def test_published_modules_are_frozen_but_the_texts_may_change(client, login_as):
    pix, lalilo, third = (make_catalogue_solution() for _ in range(3))
    path = _published([pix, lalilo])
    login_as(make_user(Role.trainer))
    changed = _form("Nouveau titre", [pix, third])
    response = client.post(f"/parcours/{path.id}/modifier", data=changed)
    assert response.status_code == 409
    assert "ne changent plus" in response.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.get(TrainingPath, path.id)
    assert kept.title != "Nouveau titre"
    assert [m.solution_id for m in kept.modules] == [pix.id, lalilo.id]

    same_modules = _form("Nouveau titre", [pix, lalilo])
    assert client.post(f"/parcours/{path.id}/modifier", data=same_modules).status_code == 302
    db.session.expire_all()
    assert db.session.get(TrainingPath, path.id).title == "Nouveau titre"
    # and it cannot be deleted
    client.post(f"/parcours/{path.id}/suppression")
    assert db.session.get(TrainingPath, path.id) is not None


def test_a_draft_edits_its_modules_and_is_deleted(client, login_as):
    pix, lalilo, third = (make_catalogue_solution() for _ in range(3))
    path = _draft([pix, lalilo])
    login_as(make_user(Role.trainer))
    response = client.post(f"/parcours/{path.id}/modifier", data=_form("P", [third, pix]))
    assert response.status_code == 302
    db.session.expire_all()
    assert [m.solution_id for m in db.session.get(TrainingPath, path.id).modules] == [
        third.id,
        pix.id,
    ]
    assert client.post(f"/parcours/{path.id}/suppression").status_code == 302
    db.session.expunge_all()
    assert db.session.get(TrainingPath, path.id) is None


@pytest.mark.parametrize("role", [Role.teacher, Role.company, Role.expert])
def test_only_trainers_and_managers_design_paths(client, login_as, role):
    login_as(make_user(role))
    assert client.get("/parcours/nouveau").status_code == 403


def test_a_module_is_done_by_any_completed_session_on_its_solution(client, login_as):
    pix, lalilo = make_catalogue_solution(name="Pix"), make_catalogue_solution(name="Lalilo")
    path = _published([pix, lalilo])
    user = make_user(Role.teacher)
    # two sessions on Pix, completed in the later one only; Lalilo attended, not completed
    early = make_session([pix], starts_in=timedelta(days=-20))
    late = make_session([pix], starts_in=timedelta(days=-5))
    add_enrollment(early, user.teacher, attended=True, completed=False)
    add_enrollment(late, user.teacher, attended=True, completed=True)
    add_enrollment(
        make_session([lalilo], starts_in=timedelta(days=-3)), user.teacher, attended=True
    )
    progress = operations.path_progress(user.teacher.id, [path])[0]
    assert (progress.done, progress.total, progress.complete) == (1, 2, False)
    assert progress.modules[0].session.id == late.id and not progress.modules[1].done
    login_as(user)
    page = client.get(f"/parcours/{path.id}").get_data(as_text=True)
    assert "Modules terminés : 1 sur 2." in page


def test_the_demo_data_holds_one_published_path_with_the_demo_teachers_progress(app):
    make_catalogue_solution(name="Mathador")
    make_catalogue_solution(name="Lalilo")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # idempotent
    (path,) = db.session.scalars(db.select(TrainingPath)).all()
    assert path.is_published and len(path.modules) == 2
    demo = db.session.scalar(
        db.select(User).where(User.email == "teacher@demo.ac-paris.fr")
    ).teacher
    progress = operations.path_progress(demo.id, [path])[0]
    assert (progress.done, progress.total) == (1, 2)
