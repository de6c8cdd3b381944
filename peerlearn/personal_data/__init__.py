"""What a person, or an admin, does with a whole account: delete it, download its data,
lock it, take a maintainer off a course.

These reach into every feature's tables (build logs, reviews, proposals, translations),
so they live above the features rather than in ``accounts``, which every feature builds
on: ``accounts`` stays free of imports from the packages that use it. The routes are the
``personal_data`` blueprint of ``peerlearn.personal_data.views`` (endpoints
``personal_data.*``; the URLs are the accounts pages' as before).
"""
