#!/usr/bin/python3
# A WebKitGTK (Safari's engine) host for the lab oracle: one WebKit2.WebView in a Gtk.OffscreenWindow,
# driven by JSON lines on stdin, answering JSON lines on stdout (each prefixed with "@@host ").
#
# Console messages: with the WebKitSettings enable-write-console-messages-to-stdout on, WebKitGTK 2.50
# writes every console message to the *web process's stderr*, which is inherited from this process.
# The node side brackets each run with console.log markers and reads the messages between them from
# this process's stderr. One WebView per host process, so that the lines of two runs never interleave;
# run several hosts for parallelism.
#
# Commands (one JSON object per line):
#   {"cmd": "load", "url": "..."}             -> {"ok": true, "url": "..."} once the page has loaded
#   {"cmd": "call", "body": "...", "args": {}} -> {"ok": true, "value": <JSON>} or {"ok": false, "error": "..."}
#                                                 body is an async function body; `args` is its argument.
#   {"cmd": "quit"}
#
# Needs Debian's libwebkit2gtk-4.1-0, gir1.2-webkit2-4.1 and python3-gi, and an X display (xvfb-run -a).
# Host names: WebKit uses the system resolver, so run this inside a mount namespace with its own
# /etc/hosts (see test/lab/engines/webkit.ts).
import json
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # noqa: E402

OUT = sys.stdout


def reply(obj):
    OUT.write("@@host " + json.dumps(obj) + "\n")
    OUT.flush()


class Host:
    def __init__(self, data_dir):
        # Not an ephemeral context: WebKit writes no console messages for ephemeral sessions (this is
        # also why WebKitWebDriver's automation sessions print none). A fresh data directory instead.
        manager = WebKit2.WebsiteDataManager(base_data_directory=os.path.join(data_dir, "data"),
                                             base_cache_directory=os.path.join(data_dir, "cache"))
        manager.set_tls_errors_policy(WebKit2.TLSErrorsPolicy.IGNORE)
        self.context = WebKit2.WebContext(website_data_manager=manager)
        self.context.set_cache_model(WebKit2.CacheModel.DOCUMENT_VIEWER)
        settings = WebKit2.Settings()
        settings.set_enable_write_console_messages_to_stdout(True)
        settings.set_enable_javascript(True)
        settings.set_enable_page_cache(False)
        self.view = WebKit2.WebView(web_context=self.context, settings=settings)
        self.window = Gtk.OffscreenWindow()
        self.window.add(self.view)
        self.window.show_all()
        self.pending_load = None
        self.view.connect("load-changed", self.on_load_changed)
        self.view.connect("load-failed", self.on_load_failed)
        channel = GLib.IOChannel.unix_new(sys.stdin.fileno())
        GLib.io_add_watch(channel, GLib.PRIORITY_DEFAULT, GLib.IOCondition.IN | GLib.IOCondition.HUP, self.on_stdin)
        self.buffer = b""

    def on_load_changed(self, view, event):
        if event == WebKit2.LoadEvent.FINISHED and self.pending_load is not None:
            url, self.pending_load = self.pending_load, None
            reply({"ok": True, "url": view.get_uri()})

    def on_load_failed(self, view, event, uri, error):
        if self.pending_load is not None:
            self.pending_load = None
            reply({"ok": False, "error": f"load failed: {uri}: {error.message}"})
        return True

    def on_stdin(self, channel, condition):
        chunk = os.read(sys.stdin.fileno(), 1 << 20)
        if not chunk:
            Gtk.main_quit()
            return False
        self.buffer += chunk
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            if line.strip():
                self.handle(json.loads(line))
        return True

    def handle(self, msg):
        cmd = msg.get("cmd")
        if cmd == "load":
            self.pending_load = msg["url"]
            self.view.load_uri(msg["url"])
        elif cmd == "call":
            # The argument travels as a JSON string literal, parsed in the page.
            body = "const args = JSON.parse(argsJson);\n" + msg["body"]
            params = GLib.Variant("a{sv}", {"argsJson": GLib.Variant("s", json.dumps(msg.get("args")))})
            self.view.call_async_javascript_function(body, -1, params, None, None, None, self.on_called, None)
        elif cmd == "quit":
            Gtk.main_quit()
        else:
            reply({"ok": False, "error": f"unknown command {cmd!r}"})

    def on_called(self, view, result, _data):
        try:
            value = view.call_async_javascript_function_finish(result)
            text = value.to_json(0) if value is not None and not value.is_undefined() else "null"
            reply({"ok": True, "value": json.loads(text) if text else None})
        except GLib.Error as e:
            reply({"ok": False, "error": e.message})


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: webkit-host.py <fresh data directory>")
    Host(sys.argv[1])
    reply({"ok": True, "ready": True, "webkit": f"{WebKit2.get_major_version()}.{WebKit2.get_minor_version()}.{WebKit2.get_micro_version()}"})
    Gtk.main()


if __name__ == "__main__":
    main()
