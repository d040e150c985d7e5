"""The `maitred` command: mint development tokens and migrate the database."""

from __future__ import annotations

import argparse
import os
import sys

from shared.auth import Role, mint_token


def _mint(args: argparse.Namespace) -> int:
    secret = os.environ.get("MAITRED_JWT_SECRET", "")
    if len(secret) < 32:
        print("MAITRED_JWT_SECRET must be set (32 characters or more) to mint a token",
              file=sys.stderr)  # fmt: skip
        return 2
    token = mint_token(
        secret,
        subject=args.subject,
        roles=[Role(role) for role in args.role],
        venues=args.venue,
        ttl_seconds=args.ttl,
        issuer=os.environ.get("MAITRED_JWT_ISSUER", "maitred"),
    )
    print(token)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from shared.db.migrate import upgrade_to_head

    url = os.environ.get("DATABASE_URL")
    if not url:
        print("DATABASE_URL must be set to migrate", file=sys.stderr)
        return 2
    upgrade_to_head(url)
    print("database at head")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="maitred", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    mint = commands.add_parser("mint-token", help="print a signed development token")
    mint.add_argument("--role", action="append", choices=[r.value for r in Role], required=True)
    mint.add_argument("--venue", action="append", required=True, help="a venue id, or * for all")
    mint.add_argument("--subject", default=os.environ.get("USER", "developer"))
    mint.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    mint.set_defaults(run=_mint)
    migrate = commands.add_parser("migrate", help="upgrade DATABASE_URL to the newest schema")
    migrate.set_defaults(run=_migrate)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
