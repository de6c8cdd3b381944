"""Reports of inappropriate reviews, and their resolution by the course's staff."""
