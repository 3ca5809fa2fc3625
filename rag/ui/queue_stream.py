"""A script for the page that keeps Gradio's event stream whole, so that no question is lost.

Gradio 6.31's browser client reads the results of all events of a page from one server-sent-events
stream, GET /gradio_api/queue/data. The server ends that stream with `close_stream` as soon as the
page has nothing pending. The client marks its stream closed only when it *reads* `close_stream`,
and opens a new one only for an event whose join answer (POST /gradio_api/queue/join) it reads
while it believes no stream is open. An event joined after the server decided to close, whose join
answer the client read before `close_stream`, therefore got no stream: the server ran it, its
results waited unread, and the page showed a pending timer for ever. On a busy machine the client
reads `close_stream` some 50 ms late, so a question asked right after the page's load events or
right after an earlier answer could hang this way.

The script wraps `fetch` for those two requests only. Gradio's client gets one stream that never
closes while the page is open; underneath, the script opens a server stream whenever the page has
a joined event whose `process_completed` it has not yet passed on, and drops `close_stream`. All of
this happens on the page's one thread, so there is no window left between the two requests.
"""
from __future__ import annotations

SCRIPT = r"""
<script>
(function () {
  "use strict";
  var realFetch = window.fetch.bind(window);
  var encoder = new TextEncoder();
  var sessions = {};  // session hash -> state of the page's stream

  function state(hash) {
    return sessions[hash] || (sessions[hash] = {pending: new Set(), done: new Set(), sink: null,
                                                request: null, server: null, live: false});
  }

  function deliver(s, message) {
    var data = null;
    if (message.indexOf("data:") === 0) {
      try { data = JSON.parse(message.slice(5)); } catch (e) { data = null; }
    }
    if (data && data.msg === "close_stream") return "closed";  // the server's; the page's stays open
    if (data && data.msg === "process_completed" && data.event_id && !s.pending.delete(data.event_id)) {
      s.done.add(data.event_id);  // completed before its join answer was read
    }
    if (data && data.msg === "unexpected_error") s.pending.clear();  // the client fails them all
    if (s.sink) s.sink.enqueue(encoder.encode(message + "\n\n"));
  }

  function fail(s, error) {
    s.live = false;
    if (s.sink) { try { s.sink.error(error); } catch (e) { /* already closed */ } s.sink = null; }
  }

  function pump(s, response, server) {  // server stream -> the page's stream, until close_stream or its end
    var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
    function ended() {
      if (s.server !== server) return;  // stopped, or replaced by a newer stream
      s.live = false;
      reader.cancel().catch(function () { /* already ended */ });
      if (s.sink && s.pending.size) connect(s);  // results still to come: read them too
    }
    (function read() {
      reader.read().then(function (chunk) {
        if (chunk.done) return ended();
        buffer += decoder.decode(chunk.value, {stream: true});
        var messages = buffer.split("\n\n");
        buffer = messages.pop();
        for (var i = 0; i < messages.length; i++) {
          if (messages[i] && deliver(s, messages[i]) === "closed") return ended();
        }
        read();
      }, function (error) { if (s.server === server && s.live) fail(s, error); });
    })();
  }

  function serverStream(s) {  // a new server stream becomes the current one
    s.live = true;
    s.server = new AbortController();
    return s.server;
  }

  function connect(s) {
    var server = serverStream(s);
    realFetch(new Request(s.request, {signal: server.signal})).then(function (response) {
      if (!response.ok || !response.body) throw new Error("queue stream: HTTP " + response.status);
      pump(s, response, server);
    }).catch(function (error) { if (s.server === server && s.live) fail(s, error); });
  }

  function stop(s) {  // the page closed its stream: so does the script
    var server = s.server;
    s.sink = null;
    s.server = null;
    s.live = false;
    if (server) server.abort();
  }

  function openStream(input, init, hash) {  // Gradio opens the page's stream
    var s = state(hash);
    var request = new Request(input, init);
    if (s.sink) { try { s.sink.close(); } catch (e) { /* already closed */ } s.sink = null; }
    s.request = request;
    var server = s.live ? null : serverStream(s);
    var start = server ? realFetch(new Request(request, {signal: server.signal})) : Promise.resolve(null);
    return start.then(function (response) {
      if (response && (!response.ok || !response.body)) { s.live = false; return response; }
      var body = new ReadableStream({
        start: function (controller) { s.sink = controller; },
        cancel: function () { if (s.request === request) stop(s); }
      });
      request.signal.addEventListener("abort", function () {  // the page closes its stream
        if (s.request !== request) return;
        var sink = s.sink;
        stop(s);
        if (sink) { try { sink.close(); } catch (e) { /* already closed */ } }
      });
      if (response) pump(s, response, server);
      return new Response(body, {status: 200, headers: {"Content-Type": "text/event-stream"}});
    }, function (error) {
      if (s.server === server) s.live = false;
      throw error;
    });
  }

  function join(input, init) {  // an event is queued: its results must be read
    var hash = null;
    try { hash = JSON.parse(init && init.body).session_hash; } catch (e) { hash = null; }
    return realFetch(input, init).then(function (response) {
      if (!hash || !response.ok) return response;
      return response.clone().json().then(function (answer) {
        var s = state(hash);
        if (answer && answer.event_id && !s.done.delete(answer.event_id)) s.pending.add(answer.event_id);
        if (s.sink && !s.live && s.pending.size) connect(s);
        return response;
      }, function () { return response; });
    });
  }

  window.fetch = function (input, init) {
    var url = input instanceof Request ? input.url : String(input);
    var method = String((init && init.method) || (input instanceof Request ? input.method : "GET")).toUpperCase();
    if (method === "GET" && /\/gradio_api\/queue\/data\?/.test(url)) {
      var hash = new URL(url, window.location.href).searchParams.get("session_hash");
      if (hash) return openStream(input, init, hash);
    }
    if (method === "POST" && /\/gradio_api\/queue\/join(\?|$)/.test(url)) return join(input, init);
    return realFetch(input, init);
  };
})();
</script>
"""
