"""Log audit of the test run (pytest plugin, registered in tests/conftest.py).

Every log line the run writes is kept exactly as its handler formats it (text or H3's JSON,
whatever logger: django.request, axes, django.security, ours), together with every record
formatted by a catch-all handler on the root logger. At the end of the run they are searched
for three kinds of secret, and any hit fails the run with a listing:

- a full resident ID number (18 characters, a real birth date, a valid GB 11643 check digit);
- a password the run used (every ``set_password`` of the run, and the demo and fixture ones);
- a session key the run created (every key the session store generated).
"""

import logging
import re

import pytest

# Passwords written in the project rather than set during the run (demo accounts, browser logins).
KNOWN_PASSWORDS = {"relief-demo-2018", "correct-horse-battery"}
# Shorter strings would match ordinary words; every password in the project is 12+ characters.
MIN_SECRET_LENGTH = 8

ID_CANDIDATE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
# Django's session keys: 32 characters of a-z and 0-9 (SessionBase._get_new_session_key).
SESSION_KEY_CANDIDATE = re.compile(r"(?<![a-z0-9])[a-z0-9]{32}(?![a-z0-9])")


def full_id_numbers(text):
    """The full, valid resident ID numbers in ``text``."""
    from cases.validators import birth_date_from_id, id_check_char

    found = []
    for match in ID_CANDIDATE.finditer(text):
        candidate = match.group().upper()
        if birth_date_from_id(candidate) and id_check_char(candidate[:17]) == candidate[17]:
            found.append(candidate)
    return found


class LogAudit:
    def __init__(self):
        self.lines = []
        self.passwords = set(KNOWN_PASSWORDS)
        self.session_keys = set()
        self._patched = []
        # What each pytest-xdist worker audited (on the controller, which runs no test).
        self.workers = []

    # -- collecting ---------------------------------------------------------------------------
    def start(self):
        # Imported here: the plugin may be loaded (-p) before pytest-django sets Django up.
        from django.contrib.auth.base_user import AbstractBaseUser
        from django.contrib.sessions.backends.base import SessionBase

        audit = self

        class CatchAll(logging.Handler):
            def emit(self, record):
                audit.lines.append(("<record>", record.name, self.format(record)))

        self.handler = CatchAll(level=logging.NOTSET)
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        logging.getLogger().addHandler(self.handler)

        original_format = logging.Handler.format

        def format_and_keep(handler, record):
            text = original_format(handler, record)
            if handler is not audit.handler:
                audit.lines.append((type(handler).__name__, record.name, text))
            return text

        original_set_password = AbstractBaseUser.set_password

        def set_password_and_keep(user, raw_password):
            if raw_password and len(raw_password) >= MIN_SECRET_LENGTH:
                audit.passwords.add(raw_password)
            return original_set_password(user, raw_password)

        original_new_key = SessionBase._get_new_session_key

        def new_key_and_keep(session):
            key = original_new_key(session)
            audit.session_keys.add(key)
            return key

        for owner, name, replacement in (
            (logging.Handler, "format", format_and_keep),
            (AbstractBaseUser, "set_password", set_password_and_keep),
            (SessionBase, "_get_new_session_key", new_key_and_keep),
        ):
            self._patched.append((owner, name, getattr(owner, name)))
            setattr(owner, name, replacement)

    def stop(self):
        logging.getLogger().removeHandler(self.handler)
        for owner, name, original in reversed(self._patched):
            setattr(owner, name, original)
        self._patched.clear()

    # -- checking -----------------------------------------------------------------------------
    def findings(self, lines=None):
        """(what, secret, handler, logger, line) for each secret found in the lines."""
        results = []
        seen = set()
        for handler, logger_name, text in self.lines if lines is None else lines:
            if text in seen:
                continue
            seen.add(text)
            hits = [("resident ID number", id_number) for id_number in full_id_numbers(text)]
            hits += [("password", p) for p in sorted(self.passwords) if p in text]
            hits += [
                ("session key", key)
                for key in SESSION_KEY_CANDIDATE.findall(text)
                if key in self.session_keys
            ]
            results += [(what, secret, handler, logger_name, text) for what, secret in hits]
        return results


AUDIT = LogAudit()


def pytest_sessionstart(session):
    # After pytest-django's django.setup(), which applied settings.LOGGING (and its handlers).
    AUDIT.start()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """Under pytest-xdist the workers run the tests: each audits its own log lines and hands
    its counts and findings to the controller, which reports them and fails the run."""
    result = getattr(node, "workeroutput", {}).get("log_audit")
    if result:
        AUDIT.workers.append(result)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    AUDIT.stop()
    findings = AUDIT.findings()
    for worker in AUDIT.workers:
        findings += [tuple(finding) for finding in worker["findings"]]
    session.config._log_audit_findings = findings
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports (pytest_testnodedown)
        workeroutput["log_audit"] = {
            "lines": len(AUDIT.lines),
            "passwords": len(AUDIT.passwords),
            "session_keys": len(AUDIT.session_keys),
            "findings": [list(finding) for finding in findings],
        }
    if findings and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    findings = getattr(config, "_log_audit_findings", None)
    checked = len(AUDIT.lines) + sum(worker["lines"] for worker in AUDIT.workers)
    passwords = len(AUDIT.passwords) + sum(worker["passwords"] for worker in AUDIT.workers)
    session_keys = len(AUDIT.session_keys) + sum(
        worker["session_keys"] for worker in AUDIT.workers
    )
    if not findings:
        terminalreporter.write_line(
            f"log audit: {checked} log lines checked, no resident ID number, password or "
            f"session key ({passwords} passwords, {session_keys} session keys)"
        )
        return
    terminalreporter.section("log audit: secrets written to the logs", red=True, bold=True)
    for what, secret, handler, logger_name, text in findings[:50]:
        terminalreporter.write_line(f"{what} {secret!r} in {logger_name} ({handler}): {text[:300]}")
    if len(findings) > 50:
        terminalreporter.write_line(f"... and {len(findings) - 50} more")
    terminalreporter.write_line(f"log audit FAILED: {len(findings)} finding(s)", red=True)
