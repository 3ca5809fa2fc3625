"""`rag kb create | list | delete`: the knowledge bases under RAG_HOME (rag/library)."""
from __future__ import annotations

import sys

from rag.modes import RETRIEVAL_MODES


def add_kb_parser(sub) -> None:
    k = sub.add_parser("kb", help="list, create and delete knowledge bases (each its own corpus folder and index)",
                       description="Knowledge bases live under RAG_HOME (default: the current folder): "
                                   "`default` is index/ + corpus/, the others kbs/NAME/.")
    ks = k.add_subparsers(dest="kb_command", required=True)
    c = ks.add_parser("create", help="create an empty knowledge base (then add files and `rag index --kb NAME`)")
    c.add_argument("name", help="a lowercase letter, then lowercase letters, digits or _ (e.g. news)")
    c.add_argument("--title", help="what the page shows (default: the name)")
    c.add_argument("--description", default="")
    c.add_argument("--corpus", metavar="DIR", help="an existing articles folder to use (default: kbs/NAME/corpus)")
    c.add_argument("--store", metavar="STORE", help="local (default) or milvus:URI (its collection is kb_NAME)")
    c.add_argument("--mode", choices=RETRIEVAL_MODES, help="its retrieval mode (default: the server's)")
    ks.add_parser("list", help="the knowledge bases, their documents and where they live")
    d = ks.add_parser("delete", help="delete a knowledge base: its index and its own corpus folder")
    d.add_argument("name")
    d.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def cmd_kb(args, library) -> int:
    if args.kb_command == "create":
        kb = library.create(args.name, title=args.title, description=args.description, corpus=args.corpus,
                            store=args.store, mode=args.mode)
        corpus = library.registry.settings_for(kb).corpus_dir
        print(f"Created knowledge base {kb.name!r} ({kb.title}). Put articles in {corpus} and run "
              f"`rag index --kb {kb.name}` (or upload them on the page).")
        return 0
    if args.kb_command == "list":
        for kb in library.infos():
            settings = library.registry.settings_for(kb)
            where = settings.index_dir if kb.store == "local" else f"{kb.store} ({settings.milvus_collection})"
            print(f"{kb.name}\t{kb.title}\t{_documents(library, kb.name)}\t{where}\t{settings.corpus_dir}")
        return 0
    kb = library.get(args.name)
    if not args.yes:
        if not sys.stdin.isatty():
            print("error: deleting needs confirmation: add --yes.", file=sys.stderr)
            return 2
        reply = input(f"Delete knowledge base {kb.name!r} ({kb.title}), its index and its own corpus folder? [y/N] ")
        if reply.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return 1
    library.delete(kb.name)
    print(f"Deleted knowledge base {kb.name!r}.")
    return 0


def _documents(library, name: str) -> str:
    try:
        pipe = library.pipeline(name)
        return f"{pipe.status()['documents']} documents" if pipe.has_index() else "no index"
    except Exception as err:  # one line per knowledge base, whatever is wrong with it
        return f"unreadable ({type(err).__name__})"
