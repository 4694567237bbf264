"""The whole journey of the service in a real browser (issue 15), as its users go through it.

A company registers and confirms its address from the mail, describes a solution,
self-assesses it (the autosave script keeps what is typed across a reload) and submits it
with one evidence file; a manager verifies the organization, assigns two experts and admits
the audit; both experts score (autosave again), their divergence is settled, the committee
approves; the solution is found in the public catalogue by a search without accents, with
its badge and its verification page; a trainer creates a session and imports attendance
from a Windows-1252 CSV separated by ';', watching the job's page until the report; a
teacher registers, enrols, is marked present, rates the session and downloads the
attestation; the public counter and the managers' dashboard move by exactly one.

Every page on the way is screenshotted and checked by axe-core (WCAG 2.1 A and AA). Staff
accounts come from the factories (an admin would create them); everything else is done
through the pages, by label and role, as a person would.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from accelerator.accounts.models import Role
from tests.audits.factories import make_framework_version
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

COMPANY_EMAIL = "lea.durand@edumaths.fr"
COMPANY_PASSWORD = "une phrase de passe assez longue"
SOLUTION = "Géométrie Élémentaire"
#: The training session's length: the teacher counts as trained on the day it ends.
SESSION_LENGTH = timedelta(minutes=30)


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label(re.compile("^Mot de passe")).fill(password)
    page.get_by_label(re.compile("^Mot de passe")).press("Enter")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()


def tick(field) -> None:
    """Check a DSFR checkbox or radio button with the keyboard (its label covers the box)."""
    field.focus()
    field.press("Space")
    expect(field).to_be_checked()


def criterion(page: Page, code: str):
    """The section of one criterion (a region named by its title)."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(code)} "))


def company_registers_and_submits(page: Page, mailbox, accessible, tmp_path) -> int:
    page.goto("/")
    page.get_by_role("link", name="Créer un compte").first.click()
    accessible(page, "register choice")
    page.get_by_role("link", name="Je représente une entreprise EdTech").click()
    page.get_by_label("Vos prénom et nom").fill("Léa Durand")
    page.get_by_label("Adresse électronique professionnelle").fill(COMPANY_EMAIL)
    page.get_by_label("Nom de l'entreprise").fill("ÉduMaths SAS")
    page.get_by_label("SIREN").fill("732829320")
    page.get_by_label(re.compile("^Mot de passe")).fill(COMPANY_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(COMPANY_PASSWORD)
    accessible(page, "register company form")
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_text("Bienvenue ! Le compte de votre entreprise est prêt.")).to_be_visible()
    accessible(page, "company account")

    # The confirmation link of the mail, opened in the same browser.
    page.goto(mailbox.link(COMPANY_EMAIL, "email_verification"))
    accessible(page, "confirm address")
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page.get_by_text("Merci : votre adresse électronique est confirmée.")).to_be_visible()

    page.get_by_role("link", name="Mes solutions").first.click()
    page.get_by_role("link", name="Décrire une solution").click()
    page.get_by_label("Nom de la solution").fill(SOLUTION)
    page.get_by_label("Résumé").fill("Des figures à construire pour comprendre la géométrie.")
    page.get_by_label("Description").fill(
        "Les élèves construisent des figures, les enseignants suivent leurs progrès."
    )
    tick(page.get_by_label("Mathématiques"))
    tick(page.get_by_label("Cycle 3 (du CM1 à la 6e)"))
    page.get_by_label("Hébergeur").fill("OVHcloud")
    accessible(page, "describe solution")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1, name=SOLUTION)).to_be_visible()
    accessible(page, "solution page")

    page.get_by_role("button", name="Lancer un audit").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Audit n°"))).to_be_visible()
    audit_id = int(re.search(r"/audits/(\d+)", page.url).group(1))
    accessible(page, "audit draft")

    # One evidence file, uploaded on the audit's page.
    evidence = tmp_path / "charte-pedagogique.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("Ajouter un fichier").set_input_files(str(evidence))
    page.get_by_role("button", name="Téléverser").click()
    expect(page.get_by_role("link", name="charte-pedagogique.pdf")).to_be_visible()

    # The self-assessment: the autosave script saves an answer as it is given.
    page.get_by_role("link", name="Domaine PEDA").click()
    first = criterion(page, "PEDA-01")
    tick(first.get_by_label("Oui"))
    first.get_by_label("Commentaire").fill("Chaque séance suit une progression validée.")
    tick(first.get_by_label("charte-pedagogique.pdf"))
    expect(first.locator("[data-autosave-status]")).to_have_text(re.compile(r"\S"))
    accessible(page, "self-assessment autosaved")
    page.reload()
    first = criterion(page, "PEDA-01")
    expect(first.get_by_label("Oui")).to_be_checked()
    expect(first.get_by_label("Commentaire")).to_have_value(
        "Chaque séance suit une progression validée."
    )
    second = criterion(page, "PEDA-02")
    tick(second.get_by_label("Oui"))
    page.get_by_role("button", name="Enregistrer et continuer").click()
    # The last domain saved, the audit's page comes back.
    expect(page.get_by_text("2 critères applicables renseignés sur 2.")).to_be_visible()
    page.get_by_role("button", name="Soumettre à l'audit").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    accessible(page, "submit confirmation")
    dialog.get_by_role("button", name="Oui, déposer l'audit").click()
    expect(page.get_by_text("Soumis").first).to_be_visible()
    # No file is chosen: the "file too large" message of the script stays hidden.
    expect(page.get_by_text("Ce fichier dépasse")).to_have_count(0)
    accessible(page, "audit submitted")
    sign_out(page)
    return audit_id


def choose(select, text: str) -> None:
    """Pick the option of a select whose text contains ``text`` (as a person reads it)."""
    label = select.locator("option", has_text=text).first.inner_text()
    select.select_option(label=label)


def open_audit_from_steering(page: Page) -> None:
    page.get_by_role("row", name=re.compile(SOLUTION)).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(SOLUTION))).to_be_visible()


def manager_verifies_assigns_and_admits(page: Page, accessible, audit_id: int) -> None:
    sign_in(page, "manager@reseau-canope.fr")
    accessible(page, "steering")
    page.get_by_role("link", name="Organisations").first.click()
    page.get_by_role("link", name="ÉduMaths SAS").click()
    tick(page.get_by_label("Extrait du répertoire SIRENE"))
    page.get_by_label("Commentaire").fill("Extrait SIRENE du 1er décembre consulté.")
    accessible(page, "organization to verify")
    page.get_by_role("button", name="Enregistrer la vérification").click()
    expect(page.get_by_text(re.compile("Vérifiée le"))).to_be_visible()

    page.get_by_role("link", name="Pilotage des audits").first.click()
    open_audit_from_steering(page)
    for expert in ("Émilie Experte", "Paul Expert"):
        choose(page.get_by_label("Affecter un expert"), expert)
        page.get_by_role("button", name="Affecter", exact=True).click()
        expect(page.locator("#experts").get_by_text(expert)).to_be_visible()
    accessible(page, "experts assigned")
    page.get_by_role("button", name="Admettre l'audit").click()
    expect(page.get_by_text("En cours d'évaluation").first).to_be_visible()
    sign_out(page)


def expert_scores(page: Page, accessible, email: str, levels: dict[str, int]) -> None:
    sign_in(page, email)
    page.get_by_role("link", name=re.compile(SOLUTION)).first.click()
    page.get_by_role("link", name="Domaine PEDA").click()
    for index, (code, level) in enumerate(levels.items()):
        section = criterion(page, code)
        tick(section.get_by_label(str(level), exact=True))
        justification = section.get_by_label("Justification")
        text = f"Niveau {level} : la progression proposée est documentée et suivie."
        if index == 0:
            # Typed key by key: the script saves once the justification is long enough.
            justification.press_sequentially(text)
        else:
            justification.fill(text)
    for code in levels:
        expect(criterion(page, code).locator("[data-autosave-status]")).to_have_class(
            re.compile("fr-message--valid"), timeout=10_000
        )
    accessible(page, f"scoring {email}")
    page.reload()  # what the script saved is what the server holds
    for code, level in levels.items():
        expect(criterion(page, code).get_by_label(str(level), exact=True)).to_be_checked()
    page.get_by_role("link", name=re.compile(r"^Audit n° \d+ — ")).click()
    page.get_by_role("button", name="Déclarer ma première évaluation terminée").click()
    expect(page.get_by_text(re.compile("Première évaluation terminée le"))).to_be_visible()
    sign_out(page)


def manager_settles_and_committee_approves(page: Page, accessible, audit_id: int) -> None:
    sign_in(page, "manager@reseau-canope.fr")
    open_audit_from_steering(page)
    divergence = page.locator("#divergences")
    expect(divergence.get_by_text("PEDA-01")).to_be_visible()
    accessible(page, "divergence")
    tick(divergence.get_by_label("3", exact=True))
    divergence.get_by_label(re.compile("^Justification")).fill(
        "Les pièces montrent une progression suivie et évaluée."
    )
    divergence.get_by_role("button", name="Arbitrer").click()
    expect(page.get_by_text(re.compile("Arbitré au niveau 3"))).to_be_visible()
    page.get_by_role("button", name="Transmettre au comité").click()
    page.get_by_role("link", name="Ouvrir la page du comité").click()
    tick(page.get_by_label("Approuvé", exact=True))
    page.get_by_label(re.compile("^Motivation")).fill("Solution conforme au cadre de confiance.")
    page.get_by_label(re.compile("^Membres présents")).fill("Marc Pilote\nAnne Comité")
    accessible(page, "committee")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Approuvé").first).to_be_visible()
    accessible(page, "approved")
    sign_out(page)


def trained_on_the_dashboard(page: Page, accessible, name: str, through: date) -> int:
    """The dashboard's teachers trained from 1 September to ``through``: a teacher counts on the
    (UTC) day their session ends, which is tomorrow for a session started late in the evening,
    after the default period's end (today)."""
    sign_in(page, "manager@reseau-canope.fr")
    page.get_by_role("link", name="Indicateurs").first.click()
    expect(page.get_by_role("heading", level=1, name="Indicateurs du contrat")).to_be_visible()
    page.get_by_label("Au", exact=True).fill(through.isoformat())
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_label("Au", exact=True)).to_have_value(through.isoformat())
    accessible(page, name)
    value = page.locator("#indicator-teachers_trained .app-stat").get_attribute("data-value")
    sign_out(page)
    return int(value or 0)


def trained_on_the_counter(page: Page, accessible, name: str) -> int:
    page.get_by_role("link", name="Progression").first.click()
    accessible(page, name)
    return int(re.sub(r"\D", "", page.locator(".app-stat").first.inner_text()))


def public_finds_the_solution(page: Page, accessible) -> None:
    page.goto("/")
    page.get_by_role("link", name="Catalogue").first.click()
    search = page.get_by_label("Rechercher par nom, entreprise ou description")
    search.fill("geometrie elementaire")  # typed without accents
    search.press("Enter")
    result = page.get_by_role("link", name=SOLUTION)
    expect(result).to_be_visible()
    accessible(page, "catalogue search without accents")
    result.click()
    expect(page.get_by_role("heading", level=1, name=SOLUTION)).to_be_visible()
    badge = page.get_by_role("img", name=re.compile(f"^{SOLUTION} : "))
    expect(badge).to_be_visible()
    badge_answer = page.context.request.get(badge.get_attribute("src"))
    assert badge_answer.ok and "svg" in badge_answer.headers["content-type"]
    accessible(page, "catalogue solution")
    page.get_by_role("link", name="Vérifier l’agrément").click()
    expect(page.get_by_text("Agrément authentique, en vigueur")).to_be_visible()
    # The approval's signed credential, checked on the page, then pasted into the checker.
    signed = page.get_by_role("region", name="Justificatif signé")
    expect(signed.get_by_role("status")).to_contain_text("Justificatif authentique, valide.")
    accessible(page, "verification page")
    jwt = page.context.request.get(
        signed.get_by_role("link", name="Télécharger le justificatif signé (VC-JWT)").get_attribute(
            "href"
        )
    )
    assert jwt.ok
    signed.get_by_role("link", name="Vérifier un justificatif signé").click()
    page.get_by_label(re.compile("^Justificatif signé")).fill(jwt.text().strip())
    page.get_by_role("button", name="Vérifier", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Justificatif authentique, valide.")
    accessible(page, "credential checked")


def trainer_creates_a_session(page: Page, accessible) -> tuple[str, datetime]:
    sign_in(page, "trainer@reseau-canope.fr")
    page.get_by_role("link", name="Nouvelle session").click()
    # It starts in a few seconds: teachers enrol before it starts, attend after.
    starts = datetime.now(ZoneInfo("Europe/Paris")).replace(microsecond=0) + timedelta(seconds=30)
    page.get_by_label(re.compile("^Titre")).fill("Construire des figures au cycle 3")
    page.get_by_label(re.compile("^Solutions du catalogue")).select_option(label=SOLUTION)
    page.get_by_label(re.compile("^Modalité")).select_option(label="Présentiel")
    page.get_by_label(re.compile("^Début")).fill(starts.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_label(re.compile("^Fin")).fill(
        (starts + SESSION_LENGTH).strftime("%Y-%m-%dT%H:%M:%S")
    )
    page.get_by_label(re.compile("^Durée en heures")).fill("0.5")
    page.get_by_label(re.compile("^Capacité")).fill("30")
    page.get_by_label(re.compile("^Académie")).select_option(label="Paris")
    page.get_by_label(re.compile("^Lieu")).fill("Atelier Canopé de Paris")
    accessible(page, "new session")
    page.get_by_role("button", name="Créer la session").click()
    reference = re.search(r"CANOPE-\d{4}-\d{4}", page.content())
    assert reference, page.url
    accessible(page, "session created")
    sign_out(page)
    return reference.group(0), starts


TEACHER_EMAIL = "helene.dupre@ac-paris.fr"
TEACHER_PASSWORD = "ma classe de cm2 aime la géométrie"


def teacher_registers_and_enrols(page: Page, mailbox, accessible) -> None:
    page.goto("/")
    page.get_by_role("link", name="Créer un compte").first.click()
    page.get_by_role("link", name="Je suis enseignant").click()
    page.get_by_label("Vos prénom et nom").fill("Hélène Dupré")
    page.get_by_label("Adresse électronique académique").fill(TEACHER_EMAIL)
    page.get_by_label(re.compile("^Académie")).select_option(label="Paris")
    page.get_by_label(re.compile("^UAI")).fill("0750655E")
    page.get_by_label(re.compile("^Discipline")).select_option(label="Mathématiques")
    page.get_by_label(re.compile("^Situation professionnelle")).select_option(label="Titulaire")
    page.get_by_label(re.compile("^Mot de passe")).fill(TEACHER_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(TEACHER_PASSWORD)
    accessible(page, "register teacher form")
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_text("Bienvenue ! Votre compte enseignant est prêt.")).to_be_visible()
    page.goto(mailbox.link(TEACHER_EMAIL, "email_verification"))
    page.get_by_role("button", name="Confirmer mon adresse").click()
    expect(page.get_by_text("Merci : votre adresse électronique est confirmée.")).to_be_visible()

    page.get_by_role("link", name="Formations").first.click()
    page.get_by_role("link", name="Construire des figures au cycle 3").first.click()
    accessible(page, "session to enrol in")
    tick(page.get_by_label("Non", exact=True))
    page.get_by_role("button", name="S'inscrire").click()
    expect(page.get_by_text("Vous avez une place dans cette session.")).to_be_visible()
    sign_out(page)


def trainer_imports_attendance(page: Page, accessible, tmp_path, reference: str) -> None:
    lines = [
        "email;nom;prenom;academie;uai;situation;session;present;termine",
        f"{TEACHER_EMAIL};Dupré;Hélène;Paris;0750655E;titulaire;{reference};oui;oui",
        # Refused: a teacher unknown so far needs an academic address.
        f"jean.noel@exemple.fr;Noël;Jean;Créteil;;titulaire;{reference};oui;oui",
    ]
    attendance = tmp_path / "presences.csv"
    attendance.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))

    sign_in(page, "trainer@reseau-canope.fr")
    page.get_by_role("link", name="Importer des présences").click()
    accessible(page, "import page")
    page.get_by_label(re.compile("^Fichier des présences")).set_input_files(str(attendance))
    page.get_by_role("button", name="Importer", exact=True).click()
    # The job's page follows the worker, then shows the report.
    expect(page.locator("#job")).to_be_visible()
    screenshot_state = page.locator("[data-job-state]").inner_text()
    assert screenshot_state
    accessible(page, "import progress")
    expect(page.get_by_role("heading", name="Rapport d'import")).to_be_visible(timeout=60_000)
    report = page.get_by_role("status")
    expect(report).to_contain_text("1 ligne rejetée")
    expect(page.get_by_role("table")).to_contain_text("3")
    accessible(page, "import report")
    sign_out(page)


def teacher_rates_and_downloads(page: Page, accessible) -> None:
    sign_in(page, TEACHER_EMAIL, TEACHER_PASSWORD)
    page.get_by_role("link", name="Mes formations").first.click()
    accessible(page, "my trainings")
    tick(page.get_by_label("5", exact=True))
    page.get_by_label(re.compile("^Commentaire")).fill("Très concret, des idées pour lundi.")
    page.get_by_role("button", name="Envoyer mon évaluation").click()
    expect(page.get_by_text("Votre note : 5 / 5")).to_be_visible()
    attestation = page.get_by_role("link", name="Attestation (PDF)")
    answer = page.context.request.get(attestation.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    accessible(page, "rated with attestation")

    # Trained on it, the teacher reviews the solution on its public page.
    page.get_by_role("link", name="Catalogue").first.click()
    page.get_by_label("Rechercher par nom, entreprise ou description").fill("geometrie")
    page.get_by_label("Rechercher par nom, entreprise ou description").press("Enter")
    page.get_by_role("link", name=SOLUTION).click()
    page.get_by_role("link", name="Donner mon avis").click()
    tick(page.get_by_label("5", exact=True))
    page.get_by_label(re.compile("^Votre commentaire")).fill(
        "Mes élèves de CM1 construisent seuls."
    )
    accessible(page, "review form")
    page.get_by_role("button", name="Publier mon avis").click()
    expect(page.get_by_text("Merci : votre avis est publié.")).to_be_visible()
    expect(page.get_by_text("Mes élèves de CM1 construisent seuls.")).to_be_visible()
    accessible(page, "solution with the review")


def test_the_whole_journey(page, live_server, worker, mailbox, accessible, tmp_path):
    make_framework_version()  # two domains; RGPD applies only to personal data
    manager = make_user(Role.manager, full_name="Marc Pilote", email="manager@reseau-canope.fr")
    experts = [
        make_user(Role.expert, full_name=name, email=f"expert{i}@reseau-canope.fr")
        for i, name in enumerate(("Émilie Experte", "Paul Expert"), start=1)
    ]
    assert manager and experts
    make_user(Role.trainer, full_name="Chloé Formatrice", email="trainer@reseau-canope.fr")

    audit_id = company_registers_and_submits(page, mailbox, accessible, tmp_path)
    manager_verifies_assigns_and_admits(page, accessible, audit_id)
    expert_scores(page, accessible, "expert1@reseau-canope.fr", {"PEDA-01": 3, "PEDA-02": 3})
    expert_scores(page, accessible, "expert2@reseau-canope.fr", {"PEDA-01": 1, "PEDA-02": 3})
    manager_settles_and_committee_approves(page, accessible, audit_id)

    reference, starts = trainer_creates_a_session(page, accessible)
    teacher_registers_and_enrols(page, mailbox, accessible)
    public_finds_the_solution(page, accessible)
    ends_on = (starts + SESSION_LENGTH).astimezone(UTC).date()
    dashboard_before = trained_on_the_dashboard(page, accessible, "dashboard before", ends_on)
    counter_before = trained_on_the_counter(page, accessible, "counter before")
    time.sleep(max(0.0, (starts - datetime.now(starts.tzinfo)).total_seconds() + 1))
    trainer_imports_attendance(page, accessible, tmp_path, reference)
    teacher_rates_and_downloads(page, accessible)

    assert trained_on_the_counter(page, accessible, "counter after") == counter_before + 1
    sign_out(page)
    dashboard_after = trained_on_the_dashboard(page, accessible, "dashboard after", ends_on)
    assert dashboard_after == dashboard_before + 1
