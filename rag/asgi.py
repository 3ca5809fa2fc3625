"""Small ASGI helpers the page's guard (rag/ui/guard.py) and the API's login guard (rag/api/login.py)
share: a middleware that has read a request's body hands it on. No framework imported here."""
from __future__ import annotations


def replay(body: bytes, receive):
    """A `receive` that hands over the body already read, then listens to the client as before."""
    sent = False

    async def again():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
