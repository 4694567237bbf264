"""The reviews' pages, on the catalogue's blueprint: a teacher's review of a solution, the
company's answer, a report, the managers' moderation queue, and the hidden reviews they may
restore."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accelerator.accounts.models import Role
from accelerator.catalogue import queries
from accelerator.catalogue.reviews import operations
from accelerator.catalogue.reviews.forms import (
    AnswerForm,
    ModerationForm,
    ReportForm,
    RestoreForm,
    ReviewForm,
)
from accelerator.catalogue.reviews.models import Review
from accelerator.catalogue.views import bp
from accelerator.core.navigation import NavItem, add_nav_item
from accelerator.core.pagination import paginate_page
from accelerator.core.permissions import guarded_by, login_required, roles_required
from accelerator.core.unit_of_work import attempt
from accelerator.extensions import db


def _solution_url(review: Review) -> str:
    return url_for("catalogue.solution", slug=review.solution.slug) + f"#review-{review.id}"


def _entry_or_404(slug: str):
    entry = queries.entry_in_force(slug)
    if entry is None:
        abort(404)
    return entry


@bp.route("/catalogue/<slug>/mon-avis", methods=["GET", "POST"])
@roles_required(Role.teacher)
def review_form(slug: str):
    """Write one's review of the solution, or edit it."""
    entry = _entry_or_404(slug)
    review = operations.review_of(current_user, entry.solution_id)
    if review is None and not operations.completed_training_on(current_user, entry.solution_id):
        return render_template("catalogue/reviews/not_eligible.html", entry=entry), 403
    form = ReviewForm(obj=review)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            if review is None:
                operations.write_review(current_user, entry, form.rating.data, form.comment.data)
            else:
                operations.edit_review(current_user, review, form.rating.data, form.comment.data)
        if outcome.ok:
            flash(gettext("Thank you: your review is published."), "success")
            return redirect(url_for("catalogue.solution", slug=slug) + "#reviews")
    status = 422 if form.errors else 200
    return render_template(
        "catalogue/reviews/form.html", entry=entry, review=review, form=form
    ), status


def _review_or_404(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None or not review.is_published:
        abort(404)
    return review


@bp.route("/catalogue/avis/<int:review_id>/reponse", methods=["GET", "POST"])
@roles_required(Role.company)
@guarded_by("Review.can_answer")
def answer_review(review_id: int):
    """The company owning the solution answers a review, once."""
    review = _review_or_404(review_id)
    if not review.owned_by_company_of(current_user):
        abort(404)
    form = AnswerForm()
    if review.answered_at is None and form.validate_on_submit():
        with attempt(form) as outcome:
            operations.answer_review(current_user, review, form.answer.data)
        if outcome.ok:
            flash(gettext("Your answer is published under the review."), "success")
            return redirect(_solution_url(review))
    status = 422 if form.errors else 200
    return render_template(
        "catalogue/reviews/answer.html",
        review=review,
        form=form,
        author_name=operations.author_name,
    ), status


@bp.route("/catalogue/avis/<int:review_id>/signaler", methods=["GET", "POST"])
@login_required
@guarded_by("Review.can_read")
def report_review(review_id: int):
    """Anyone signed in reports a shown review to the managers."""
    review = _review_or_404(review_id)
    form = ReportForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.report_review(current_user, review, form.reason.data)
        if outcome.ok:
            flash(gettext("Thank you: a manager will read your report."), "success")
            return redirect(_solution_url(review))
    status = 422 if form.errors else 200
    return render_template(
        "catalogue/reviews/report.html",
        review=review,
        form=form,
        author_name=operations.author_name,
    ), status


@bp.route("/pilotage/avis")
@roles_required(Role.manager)
def moderation_queue():
    """Reviews reported and not moderated yet, the oldest report first."""
    page = paginate_page(operations.moderation_queue(), per_page=20)
    reports = operations.pending_reports(review.id for review in page.items)
    return render_template(
        "catalogue/reviews/queue.html",
        page=page,
        reports=reports,
        author_name=operations.author_name,
    )


@bp.route("/pilotage/avis/masques")
@roles_required(Role.manager)
def hidden_reviews():
    """Reviews hidden by moderation, the most recently hidden first: each may be restored."""
    return render_template(
        "catalogue/reviews/hidden.html",
        page=paginate_page(operations.hidden_reviews(), per_page=20),
        author_name=operations.author_name,
    )


def _moderation_page(review: Review, form=None, restore_form=None):
    """The review with its reports and history, and the form its state allows."""
    form, restore_form = form or ModerationForm(), restore_form or RestoreForm()
    status = 422 if form.errors or restore_form.errors else 200
    return render_template(
        "catalogue/reviews/moderate.html",
        review=review,
        form=form,
        restore_form=restore_form,
        reports=operations.pending_reports([review.id]).get(review.id, []),
        author_name=operations.author_name,
    ), status


def _any_review_or_404(review_id: int) -> Review:
    review = db.session.get(Review, review_id)
    if review is None:
        abort(404)
    return review


@bp.route("/pilotage/avis/<int:review_id>", methods=["GET", "POST"])
@roles_required(Role.manager)
def moderate_review(review_id: int):
    """A review with its reports and its moderation history; hide it or keep it (restore it
    once hidden: ``restore_review``)."""
    review = _any_review_or_404(review_id)
    form = ModerationForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.moderate_review(current_user, review.id, form.action.data, form.reason.data)
        if outcome.ok:
            flash(gettext("The moderation is recorded."), "success")
            return redirect(url_for("catalogue.moderation_queue"))
    return _moderation_page(review, form=form)


@bp.route("/pilotage/avis/<int:review_id>/retablir", methods=["POST"])
@roles_required(Role.manager)
@guarded_by("Review.can_restore")
def restore_review(review_id: int):
    """Show a hidden review again, with the reason told to its author."""
    review = _any_review_or_404(review_id)
    form = RestoreForm()
    if not review.can_restore(current_user):  # shown already (another manager restored it)
        flash(gettext("This review is already shown."), "warning")
        return redirect(url_for("catalogue.moderate_review", review_id=review.id))
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.restore_review(current_user, review.id, form.reason.data)
        if outcome.ok:
            flash(gettext("The review is shown again."), "success")
            return redirect(url_for("catalogue.moderate_review", review_id=review.id))
    return _moderation_page(review, restore_form=form)


add_nav_item(
    NavItem(
        24,
        "catalogue.moderation_queue",
        _l("Review moderation"),
        roles=(Role.manager,),
        prefix="/pilotage/avis",
    )
)
