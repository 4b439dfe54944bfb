"""A real SMTP server for tests (Debian's aiosmtpd). Saves each message as NNNN.eml in --out.

Prints "READY" once listening. Options: --user/--password require AUTH, --tls-cert/--tls-key offer STARTTLS
(--require-starttls to insist) or, with --implicit-tls, TLS on connect. --stall-after-data stores each message and then
never answers the end of DATA (a server that accepted a message the client cannot know about).
"""
import argparse
import asyncio
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Saver:
    def __init__(self, out, stall=False):
        self.out = out
        self.stall = stall
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = os.path.join(self.out, "%04d.eml" % self.count)
        auth = getattr(session, "auth_data", None)
        login = auth.login.decode() if isinstance(auth, LoginPassword) else ""
        # session.ssl is only set by STARTTLS; TLS on connect shows on the transport.
        tls = session.ssl or server.transport.get_extra_info("ssl_object")
        head = "X-Test-Mail-From: %s\r\nX-Test-Rcpt-To: %s\r\nX-Test-Auth: %s\r\nX-Test-TLS: %s\r\n" % (
            envelope.mail_from, ",".join(envelope.rcpt_tos), login, "yes" if tls else "no")
        with open(name + ".tmp", "wb") as f:
            f.write(head.encode() + envelope.original_content)
        os.rename(name + ".tmp", name)
        if self.stall:
            # The message is stored but the client never hears so: a crash here must not lose or duplicate it.
            await asyncio.sleep(3600)
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--stall-after-data", action="store_true")
    args = parser.parse_args()

    kwargs = {}
    if args.user:
        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login.decode() == args.user and auth_data.password.decode() == args.password)
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
        kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=False)
    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    if context and args.implicit_tls:
        controller = Controller(Saver(args.out, args.stall_after_data), hostname="127.0.0.1", port=args.port, ssl_context=context, **kwargs)
    else:
        if context:
            kwargs.update(tls_context=context, require_starttls=args.require_starttls)
        controller = Controller(Saver(args.out, args.stall_after_data), hostname="127.0.0.1", port=args.port, **kwargs)
    controller.start()
    print("READY", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
