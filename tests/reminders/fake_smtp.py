"""A local SMTP server that speaks just enough of the protocol for Django's SMTP backend.

`drop_first` connections are closed before the greeting, as a flaky mail server would.
"""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes
from email.message import Message


class FakeSMTPServer:
    def __init__(self, drop_first: int = 0) -> None:
        self.drop_first = drop_first
        self.connections = 0
        self.messages: list[Message] = []
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self) -> None:
                fake.connections += 1
                if fake.connections <= fake.drop_first:
                    return
                self.reply("220 fake.smtp.test ESMTP")
                data: list[bytes] | None = None
                for raw in self.rfile:
                    if data is not None:
                        if raw.rstrip(b"\r\n") == b".":
                            fake.messages.append(message_from_bytes(b"".join(data)))
                            data = None
                            self.reply("250 2.0.0 queued")
                        else:
                            data.append(raw[1:] if raw.startswith(b"..") else raw)
                        continue
                    verb = raw[:4].decode().upper()
                    if verb == "DATA":
                        data = []
                        self.reply("354 go ahead")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                        self.reply("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSMTPServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
