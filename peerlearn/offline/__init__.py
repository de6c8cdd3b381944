"""Offline course packages: a course as a zip of static pages that opens from the file
system, with no server and no network."""
