"""Write Salesforce object files (Account, Contract, Opportunity, Contact, AccountContactRelation,
User) as Data Loader writes them (API field names, 18-character ids, ISO dates and
timestamps) from qbrgen account data, e.g. a `qbrgen demo-data` workspace:

    python tests/salesforce_objects.py DEMO_WORKSPACE OUT_FOLDER

Also `project()`: the part of an account those files carry, to compare an import with.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import yaml

STAGES = {
    ("identified", "open"): "Prospecting",
    ("qualified", "open"): "Qualification",
    ("proposal", "open"): "Proposal/Price Quote",
    ("negotiation", "open"): "Negotiation/Review",
    ("closed", "won"): "Closed Won",
    ("closed", "lost"): "Closed Lost",
}
TYPES = {
    "upsell": "Existing Customer - Upgrade",
    "seats": "Existing Customer - Upgrade",
    "tier_upgrade": "Existing Customer - Replacement",
    "cross_sell": "New Customer",
    "services": "Services",
}
IMPORTED_TYPE = {"seats": "upsell"}  # Salesforce has no 'seats' type: it comes back as upsell
ROLES = {
    "executive_sponsor": "Executive Sponsor",
    "decision_maker": "Decision Maker",
    "champion": "Champion",
    "user": "Business User",
    "influencer": "Influencer",
}
EMPLOYEES = {"enterprise": 2400, "mid_market": 450, "smb": 35}


def _id(prefix: str, n: int) -> str:
    return f"{prefix}5g00000{n:08d}AAA"  # 18 characters, like Data Loader's


def _write(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)


def write_objects(accounts: list[dict[str, Any]], folder: Path) -> list[Path]:
    """The object files for `accounts`; returns their paths (Account.csv first)."""
    folder.mkdir(parents=True, exist_ok=True)
    owners = sorted({a["owner"] for a in accounts} | {o for a in accounts for o in _opp_owners(a)})
    user_ids = {name: _id("005", i) for i, name in enumerate(owners, start=1)}
    account_rows, contract_rows, opp_rows, contact_rows, relation_rows = [], [], [], [], []
    opp_n = contact_n = 0
    for n, account in enumerate(accounts, start=1):
        account_id = _id("001", n)
        contract = account["contract"]
        account_rows.append(
            [
                account_id,
                "false",
                account["name"],
                "Customer - Direct",
                account["industry"],
                user_ids[account["owner"]],
                account.get("region"),
                EMPLOYEES[account["segment"]],
                "950000000",
                contract["arr"],
                f"{account['updated']}T16:20:00.000Z",
            ]
        )
        contract_rows.append(
            [
                _id("800", n),
                account_id,
                f"{n:08d}",
                "Activated",
                contract["start_date"],
                contract["renewal_date"],
                12,
                "false",
            ]
        )
        contract_rows.append(  # a draft for next year: not the current contract
            [
                _id("800", 1000 + n),
                account_id,
                f"{1000 + n:08d}",
                "Draft",
                contract["renewal_date"],
                None,
                12,
                "false",
            ]
        )
        for opp in account.get("opportunities", []):
            opp_n += 1
            opp_rows.append(
                [
                    _id("006", opp_n),
                    "false",
                    account_id,
                    opp["title"],
                    STAGES[(opp["stage"], opp["outcome"])],
                    opp["value"],
                    opp.get("close_date"),
                    TYPES[opp["type"]],
                    user_ids[_opp_owner(account)],
                    opp.get("next_step"),
                ]
            )
        for person in account.get("stakeholders", []):
            contact_n += 1
            first, _, last = person["name"].partition(" ")
            contact_id = _id("003", contact_n)
            contact_rows.append(
                [
                    contact_id,
                    "false",
                    account_id,
                    first,
                    last,
                    person.get("title"),
                    f"contact{contact_n}@example.com",
                    person.get("last_contact"),
                ]
            )
            relation_rows.append(
                [_id("07k", contact_n), account_id, contact_id, ROLES[person["role"]], "true"]
            )
    paths = [
        folder / f"{name}.csv"
        for name in (
            "Account",
            "Contract",
            "Opportunity",
            "Contact",
            "AccountContactRelation",
            "User",
        )
    ]
    _write(
        paths[0],
        [
            "Id",
            "IsDeleted",
            "Name",
            "Type",
            "Industry",
            "OwnerId",
            "BillingCountry",
            "NumberOfEmployees",
            "AnnualRevenue",
            "ARR__c",
            "LastModifiedDate",
        ],
        account_rows,
    )
    _write(
        paths[1],
        [
            "Id",
            "AccountId",
            "ContractNumber",
            "Status",
            "StartDate",
            "EndDate",
            "ContractTerm",
            "IsDeleted",
        ],
        contract_rows,
    )
    _write(
        paths[2],
        [
            "Id",
            "IsDeleted",
            "AccountId",
            "Name",
            "StageName",
            "Amount",
            "CloseDate",
            "Type",
            "OwnerId",
            "NextStep",
        ],
        opp_rows,
    )
    _write(
        paths[3],
        [
            "Id",
            "IsDeleted",
            "AccountId",
            "FirstName",
            "LastName",
            "Title",
            "Email",
            "LastActivityDate",
        ],
        contact_rows,
    )
    _write(paths[4], ["Id", "AccountId", "ContactId", "Roles", "IsDirect"], relation_rows)
    _write(
        paths[5],
        ["Id", "Username", "FirstName", "LastName", "Name", "IsActive"],
        [
            [uid, f"{name.split()[0].lower()}@vendor.example", *name.split(" ", 1), name, "true"]
            for name, uid in user_ids.items()
        ],
    )
    return paths


def _opp_owner(account: dict[str, Any]) -> str:
    return account["owner"]


def _opp_owners(account: dict[str, Any]) -> list[str]:
    return [account["owner"]] if account.get("opportunities") else []


def project(account: dict[str, Any], account_id: str) -> dict[str, Any]:
    """What the object files carry of `account`: the source to compare an import with."""
    contract = account["contract"]
    return {
        "id": account_id,
        "name": account["name"],
        "industry": account["industry"],
        "segment": account["segment"],
        "region": account.get("region"),
        "owner": account["owner"],
        "updated": account["updated"],
        "contract": {
            "arr": contract["arr"],
            "start_date": contract["start_date"],
            "renewal_date": contract["renewal_date"],
            "term_months": 12,
        },
        "stakeholders": [
            {
                "name": p["name"],
                "title": p.get("title"),
                "role": p["role"],
                "last_contact": p.get("last_contact"),
            }
            for p in account.get("stakeholders", [])
        ],
        "opportunities": [
            {
                "title": o["title"],
                "type": IMPORTED_TYPE.get(o["type"], o["type"]),
                "value": o["value"],
                "stage": o["stage"],
                "outcome": o["outcome"],
                "close_date": o.get("close_date"),
                "owner": account["owner"],
            }
            for o in account.get("opportunities", [])
        ],
    }


def main(argv: list[str]) -> int:
    source, out = Path(argv[0]), Path(argv[1])
    accounts = [yaml.safe_load(p.read_text()) for p in sorted((source / "accounts").glob("*.yaml"))]
    for path in write_objects(accounts, out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
