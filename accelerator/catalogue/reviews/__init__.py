"""Verified teacher reviews of catalogue solutions.

Only a teacher with a verified account who completed a training session on a solution
(training's completed enrolment, the one that issues an attestation) reviews it: one review
per teacher and solution, a rating from 1 to 5 and a comment, editable by its author. The
company owning the solution answers each review once; anyone signed in reports a review; a
manager moderates reported reviews (hide with a reason, or keep), each action a history row.
The catalogue entry keeps the published reviews' count and average, written in the same
unit of work as the review change (``operations.recount``), so the catalogue sorts and
filters on a column of the row its search reads anyway.
"""
