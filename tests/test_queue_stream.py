"""The page script that keeps Gradio's event stream whole (rag/ui/queue_stream.py), run in Node
against a scripted server, replaying the interleaving that lost questions in the browser tests."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from rag.ui.queue_stream import SCRIPT

NODE = shutil.which("node")

HARNESS = r"""
const calls = {data: 0, join: 0};
const streams = [];  // the server streams opened, each {push, end}
globalThis.window = globalThis;
window.location = {href: "http://app/"};
window.fetch = async function (input, init) {  // the server
  const url = input instanceof Request ? input.url : String(input);
  if (url.includes("/queue/join")) {
    calls.join += 1;
    return new Response(JSON.stringify({event_id: "e" + calls.join}), {status: 200});
  }
  calls.data += 1;
  let controller;
  const body = new ReadableStream({start(c) { controller = c; }});
  const encoder = new TextEncoder();
  streams.push({
    push: (msg) => controller.enqueue(encoder.encode("data: " + JSON.stringify(msg) + "\n\n")),
    end: () => controller.close(),
  });
  return new Response(body, {status: 200, headers: {"Content-Type": "text/event-stream"}});
};
eval(SCRIPT);

const until = async (test) => {
  for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!test()) throw new Error("timed out waiting for " + test);
};
const join = async () => (await (await fetch("http://app/gradio_api/queue/join?", {
  method: "POST", body: JSON.stringify({session_hash: "s1", data: []})})).json()).event_id;
const read = async (reader) => {  // the next message the page's client sees
  const chunk = await reader.read();
  return JSON.parse(new TextDecoder().decode(chunk.value).trim().slice(5));
};

(async () => {
  const seen = [];
  const first = await join();
  const page = await fetch(new Request("http://app/gradio_api/queue/data?session_hash=s1"));
  const reader = page.body.getReader();
  await until(() => streams.length === 1);
  // The server finishes the first event and, with nothing pending, closes its stream; the page
  // reads the answer to its next join before it reads close_stream (so Gradio opens no stream).
  streams[0].push({msg: "process_completed", event_id: first});
  seen.push(await read(reader));
  const second = await join();
  streams[0].push({msg: "close_stream", event_id: null});
  streams[0].end();
  await until(() => streams.length === 2);  // the script reads the second event's results
  streams[1].push({msg: "process_completed", event_id: second});
  seen.push(await read(reader));
  // An event completed before its join answer was read is not waited for again.
  streams[1].push({msg: "process_completed", event_id: "e3"});
  seen.push(await read(reader));
  await join();
  streams[1].push({msg: "close_stream", event_id: null});
  streams[1].end();
  await new Promise((r) => setTimeout(r, 50));
  console.log(JSON.stringify({seen, calls}));
})().catch((e) => { console.log(JSON.stringify({error: String(e)})); });
"""


@pytest.mark.skipif(NODE is None, reason="node not installed")
def test_a_question_asked_as_the_server_closes_the_stream_still_gets_its_results(tmp_path):
    script = re.search(r"<script>(.*)</script>", SCRIPT, re.S).group(1)
    js = tmp_path / "harness.js"
    js.write_text(f"const SCRIPT = {json.dumps(script)};\n{HARNESS}", encoding="utf-8")
    out = subprocess.run([NODE, str(js)], capture_output=True, text=True, timeout=60)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "error" not in result, result
    assert [(m["msg"], m["event_id"]) for m in result["seen"]] == [
        ("process_completed", "e1"), ("process_completed", "e2"), ("process_completed", "e3")]
    assert result["calls"] == {"join": 3, "data": 2}  # no third stream: nothing was left pending


def test_the_page_carries_the_script():
    from rag.config import Settings
    from rag.ui import launch_options

    assert SCRIPT.strip() in launch_options(Settings())["head"]
