"""Training: sessions on approved solutions, enrolments, attendance, certificates, the counter."""
