"""A real IMAP server for tests and benchmarks: Dovecot 2.3 (Debian's dovecot-imapd) started
from a temporary config on a free port, with a temporary maildir and one test user.

As root, Dovecot drops privileges: logins run as `dovenull`, internal processes as `dovecot`,
and mail is accessed as `nobody` (a static userdb), so the temporary tree is made readable by
them. As another user, Dovecot runs everything as that user."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def available() -> str | None:
    """None when Dovecot can run here, else the reason it cannot."""
    if not os.path.exists(DOVECOT):
        return "dovecot is not installed (apt-get install dovecot-imapd)"
    return None


@dataclass
class Dovecot:
    user: str = "support@example.com"
    password: str = "secret-password"
    host: str = "127.0.0.1"
    port: int = 0
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="contacthub-imap-")))
    _process: subprocess.Popen[bytes] | None = None

    @property
    def config_path(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def maildir(self) -> Path:
        return self.root / "mail" / self.user / "Maildir"

    def start(self) -> Dovecot:
        if self.port == 0:
            self.port = free_port()
        self._write_config()
        with (self.root / "stderr.log").open("ab") as errors:
            self._process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.config_path)],
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def change_uidvalidity(self, folder: str = "INBOX", value: int | None = None) -> int:
        """Give `folder` a new UIDVALIDITY, as a restored or rebuilt mailbox would have."""
        new = value if value is not None else int(time.time()) + 1000
        subprocess.run(
            [
                DOVEADM,
                "-c",
                str(self.config_path),
                "mailbox",
                "update",
                "--uid-validity",
                str(new),
                "-u",
                self.user,
                folder,
            ],
            check=True,
            capture_output=True,
        )
        return new

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                err = (self.root / "stderr.log").read_text(errors="replace")
                raise RuntimeError(f"dovecot exited: {err}\n{self._log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(256).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not answer on port {self.port}\n{self._log()}")

    def _log(self) -> str:
        log = self.root / "dovecot.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def _write_config(self) -> None:
        as_root = os.geteuid() == 0
        mail_user = "nobody" if as_root else pwd.getpwuid(os.geteuid()).pw_name
        me = pwd.getpwuid(os.geteuid()).pw_name
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(exist_ok=True)
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        os.chmod(self.root, 0o755)
        if as_root:
            entry = pwd.getpwnam(mail_user)
            os.chown(self.root / "mail", entry.pw_uid, entry.pw_gid)
        self.config_path.write_text(
            _CONFIG.format(
                root=self.root,
                port=self.port,
                host=self.host,
                login_user="dovenull" if as_root else me,
                internal_user="dovecot" if as_root else me,
                mail_uid=pwd.getpwnam(mail_user).pw_uid,
                mail_gid=pwd.getpwnam(mail_user).pw_gid,
            )
        )


_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = {host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u/Maildir
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 50
  imap_idle_notify_interval = 2 mins
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Archive {{
    auto = create
  }}
}}
"""
