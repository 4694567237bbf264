"""The cadre de confiance: versioned criteria frameworks and the scoring engine."""
