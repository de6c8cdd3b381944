"""Teams: learners who submit one build log together."""
