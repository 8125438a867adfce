"""Django's session engines without their avoidable round trips (SESSION_ENGINE in settings).

Django draws a new session key (at the first write and at every login, when the key rotates)
and first asks the store whether it exists; the store's own create-only write
(INSERT / cache add) refuses a duplicate anyway and Django then draws again, so the question is
redundant. The database engine also reads a session row before deleting it (the old session at
a login's key rotation). Behaviour is Django's; only those queries go."""
