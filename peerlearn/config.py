"""Configuration classes.

Every setting can be overridden from the environment with a ``PEERLEARN_`` prefix
(``PEERLEARN_SECRET_KEY``, ``PEERLEARN_DATABASE_URL``, ...); values are parsed as JSON
when they look like JSON, so ``PEERLEARN_COURSES_PER_PAGE=20`` is an integer.
"""

from __future__ import annotations

#: The placeholder secret. Development and tests may use it; production refuses it.
DEFAULT_SECRET_KEY = "dev-only-not-secret"


class Config:
    """Settings shared by every environment."""

    ENV = "production"
    SECRET_KEY = DEFAULT_SECRET_KEY
    #: ``None`` means "a SQLite file under the instance folder" (resolved in create_app).
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    #: Interface languages; the first is the source language and the fallback.
    LANGUAGES = ["en", "es", "fr", "rw", "sw", "qu"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGE_COOKIE = "peerlearn_lang"

    COURSES_PER_PAGE = 10
    #: Werkzeug's method string. scrypt at OWASP's minimum (N=2^17, r=8, p=1): 128 MiB and
    #: a fraction of a second per hash (Werkzeug sets scrypt's maxmem to 132*N*r*p bytes).
    #: A stored hash made with other parameters is rehashed at the next login.
    PASSWORD_HASH_METHOD = "scrypt:131072:8:1"
    PASSWORD_MIN_LENGTH = 10
    #: zxcvbn's score (0-4) a new password must reach; 3 is "safely unguessable".
    PASSWORD_MIN_SCORE = 3

    #: Server-side sessions: one unused for this long must log in again (admins sooner).
    SESSION_IDLE_DAYS = 14
    ADMIN_SESSION_IDLE_HOURS = 12
    #: A session's "last seen" is written at most this often, not on every request.
    SESSION_TOUCH_MINUTES = 5
    #: How long an emailed password reset link works.
    PASSWORD_RESET_HOURS = 1
    #: How long the link that finishes a registration works.
    REGISTRATION_CONFIRM_HOURS = 48
    #: New accounts confirm their address by email before they exist, so the form never
    #: says whether an address has an account. ``None``: only when SMTP_HOST is set
    #: (without mail nobody could finish registering).
    REGISTRATION_CONFIRM_EMAIL: bool | None = None

    #: Forms are small; a larger body is refused with a 413 page before it is read.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    WTF_CSRF_TIME_LIMIT = None  # a slow learner's form must not expire mid-sentence

    #: Bundle media accepted on import and served with a year-long cache lifetime.
    MEDIA_MAX_BYTES = 5 * 1024 * 1024
    MEDIA_CACHE_SECONDS = 365 * 24 * 3600

    #: How long a reviewer keeps a build log handed out for peer review before it goes
    #: back to the pool (Open edX ORA2 uses 8 hours). PEERLEARN_REVIEW_LEASE_HOURS=12.
    REVIEW_LEASE_HOURS = 8
    #: Revise and resubmit: for this long after a new version (a new round), its last
    #: needed review is kept for one of its earlier reviewers (they were notified), so a
    #: classmate who never saw the log cannot take it first. 0 turns the hold off.
    RESUBMISSION_HOLD_HOURS = 48

    #: Notification emails. Without SMTP_HOST they are written to the log instead.
    SMTP_HOST: str | None = None
    SMTP_PORT = 587
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = True
    #: A CA bundle (PEM) to verify the SMTP server's certificate with, for a relay whose
    #: certificate a private CA signed. None: the system's trust store.
    SMTP_CA_FILE: str | None = None
    #: Seconds to wait for the SMTP server; a request that sends mail waits at most this.
    SMTP_TIMEOUT = 10
    MAIL_FROM = "peerlearn <noreply@localhost>"
    #: Where the site is served ("https://learn.example.org"), for links in emails; the
    #: request's Host header is never used, since any client can set it.
    SITE_URL: str | None = None
    #: Build a course's offline packages in a job when it changes (needs SITE_URL, whose
    #: host and path must be what the site's requests carry), instead of at the first
    #: download after the change (peerlearn/offline/prebuild.py).
    OFFLINE_PREBUILD = True

    #: How many proxies in front of the app to trust for X-Forwarded-For, -Proto, -Host,
    #: -Port and -Prefix (Werkzeug's ProxyFix). 0: none, the headers are ignored, as they
    #: must be when clients reach the app directly. PEERLEARN_PROXY_FIX=1 behind one proxy.
    PROXY_FIX = 0
    #: Strict-Transport-Security max-age in seconds; None sends no such header.
    HSTS_SECONDS: int | None = None
    #: A Redis every app instance and job worker shares (PEERLEARN_REDIS_URL=
    #: redis://127.0.0.1:6379/0): the job queue (docs/jobs.md) and the rate-limit counts.
    #: None: jobs run on the web process's own job thread, counts are per process.
    REDIS_URL: str | None = None
    #: The RQ queue's name, and the seconds a failed job waits before each retry (on the
    #: queue, or on the web process's job thread without Redis).
    JOBS_QUEUE = "peerlearn"
    JOBS_RETRY_INTERVALS: list[float] = [60, 300, 900, 3600]
    #: How long a job that failed for good stays in Redis (an account email's holds its
    #: link, so not long; the link itself expires before).
    JOBS_FAILED_TTL = 24 * 3600
    #: Rate limits (Flask-Limiter, peerlearn/rate_limits.py). Counts live in each process
    #: unless RATELIMIT_STORAGE_URI (or REDIS_URL) names a Redis that every app instance
    #: shares: PEERLEARN_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI: str | None = None
    RATELIMIT_KEY_PREFIX = "peerlearn"
    #: A Redis that stops answering must not stop logins: count in memory until it is back.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    #: Limit strings ("N/second|minute|hour|day", several joined by ";"); "" turns one off.
    #: Failed logins per client address. A class behind one school address shares it, so
    #: only failures count; raise it if a whole room mistypes at once.
    RATELIMIT_LOGIN = "10/minute;50/hour"
    #: Failed logins per username or email tried, from any address: guessing one account's
    #: password from many addresses stays slow.
    RATELIMIT_LOGIN_ACCOUNT = "5/minute;20/hour"
    #: Registrations per client address (a class registering on its first day shares one).
    RATELIMIT_REGISTER = "20/minute;100/hour"
    #: Password-reset requests (each sends an email) per client address and per address asked.
    RATELIMIT_RESET = "5/minute;20/hour"
    RATELIMIT_RESET_ACCOUNT = "3/hour"
    #: Requests carrying a photo, per user.
    RATELIMIT_UPLOAD = "10/minute;100/hour"
    #: Creating content (entries, reviews, proposals, comments, translations), per user.
    RATELIMIT_POST = "30/minute;300/hour"
    #: Discussions: an account younger than this many days writes at most so many posts
    #: an hour and so many links a day (counted in the database, so every host agrees).
    DISCUSSION_NEW_ACCOUNT_DAYS = 3
    DISCUSSION_NEW_ACCOUNT_POSTS_PER_HOUR = 3
    DISCUSSION_NEW_ACCOUNT_LINKS_PER_DAY = 2


class DevelopmentConfig(Config):
    ENV = "development"
    SESSION_COOKIE_SECURE = False


class TestingConfig(Config):
    ENV = "testing"
    TESTING = True
    SESSION_COOKIE_SECURE = False
    # Fast hashing keeps the suite quick; the production default is tested separately.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # Tests log in and post far faster than people; tests/security/test_rate_limits.py
    # turns the limits on in apps of its own.
    RATELIMIT_ENABLED = False
    # A job that fails in a test is not run again minutes later, in some other test's
    # database; the tests of retries set their own intervals.
    JOBS_RETRY_INTERVALS: list[float] = []
    # Building six zips after every course a test creates would slow the suite down; the
    # tests of prebuilding switch it on.
    OFFLINE_PREBUILD = False


class ProductionConfig(Config):
    ENV = "production"
    #: Production is served over HTTPS only (README): browsers must never try plain HTTP.
    HSTS_SECONDS = 365 * 24 * 3600


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
