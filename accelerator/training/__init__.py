"""Training: sessions on approved solutions, enrolments with their waitlist, attendance and its
imports. Certification (feedback, attestations, badges, the counter) sits above, in
``accelerator.certification``, and listens to ``training.signals``."""
