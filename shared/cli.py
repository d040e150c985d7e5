"""The `maitred` command: mint development tokens and migrate the database."""

from __future__ import annotations

import argparse
import getpass
import sys

from pydantic import Field, SecretStr

from shared.auth import Role, mint_token
from shared.settings import MaitredSettings


class CliSettings(MaitredSettings):
    """What the `maitred` command reads: the secret and issuer to sign with, the database."""

    jwt_secret: SecretStr = Field(
        default=SecretStr(""), description="HS256 key for tokens, 32+ characters"
    )
    jwt_issuer: str = Field(default="maitred", description="expected token issuer")
    database_url: str = Field(default="", description="the database `maitred migrate` upgrades")


def _mint(args: argparse.Namespace) -> int:
    settings = CliSettings()
    secret = settings.jwt_secret.get_secret_value()
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
        issuer=settings.jwt_issuer,
    )
    print(token)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from shared.db.migrate import upgrade_to_head

    url = CliSettings().database_url
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
    mint.add_argument("--subject", default=getpass.getuser())
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
