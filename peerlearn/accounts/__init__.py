"""Users: registration, login, profile and preferences."""
