"""Generate the demo dataset that `ocx-reports mock-api` serves (ocx_reports/demo_data).

    python scripts/make_demo_data.py [--out DIR]

Three projects, 30 samples with metadata and tags, and one classification per
sample whose results table has the API's row format over a real (trimmed)
NCBI taxonomy. Everything derives from fixed seeds and names, so running the
script again rewrites byte-identical files: regenerate after changing the
taxonomy, the profiles or the sample plan below, and commit the result.
"""

import argparse
import hashlib
import itertools
import json
import math
import random
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from demo_profiles import AFTER_TERMINAL_CLEAN, ANTIBIOTICS, IBD, PROFILES
from demo_taxonomy import load_taxonomy

SEED = "ocx-reports demo v1"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "ocx_reports" / "demo_data"
TAXA = load_taxonomy()
TAX_ID_BY_NAME = {name: tax_id for tax_id, (_, rank, name) in TAXA.items() if rank == "species"}
VIRUS_GENOME_MB = {"12239": 0.0064, "694009": 0.0299, "11983": 0.0077}
# Rough share of a node's reads that the classifier can place no deeper than that node.
DIRECT_READ_SHARE = {
    "genus": (0.03, 0.12),
    "family": (0.01, 0.05),
    "order": (0.005, 0.02),
    "class": (0.005, 0.02),
    "phylum": (0.003, 0.01),
    "kingdom": (0.002, 0.01),
    "superkingdom": (0.002, 0.01),
    "no rank": (0.002, 0.01),
}

# Sites: (location_string, lat, lon, UTC offset in winter).
BOSTON = ("Boston, MA, USA", 42.3601, -71.0589, -5)
SACRAMENTO = ("Sacramento, CA, USA", 38.5816, -121.4944, -8)
ELK_GROVE = ("Elk Grove, CA, USA", 38.4088, -121.3716, -8)
AIRPORT = ("Sacramento International Airport, CA, USA", None, None, -8)
CHICAGO_ICU = ("ICU Ward 4B, Chicago, IL, USA", 41.8781, -87.6298, -6)

PROJECTS = [
    {
        "key": "gut",
        "name": "Gut Microbiome Cohort Study",
        "project_name": "gut-cohort-24",
        "description": "Longitudinal stool and saliva metagenomes from adults with and without IBD, "
        "sampled at baseline and week 12.",
        "external_id": "IRB-2023-0417",
    },
    {
        "key": "wastewater",
        "name": "Municipal Wastewater Surveillance 2024",
        "project_name": "ww-surv-2024",
        "description": "Weekly 24-hour composite influent samples from two treatment plants and an "
        "airport lift station.",
        "external_id": "WWS-SAC-04",
    },
    {
        "key": "hospital",
        "name": "ICU Built Environment: Hospital Surfaces",
        "project_name": "icu-surfaces",
        "description": "Swabs of sink drains and high-touch surfaces in a medical ICU, before and "
        "after terminal cleaning.",
        "external_id": None,
    },
]

# (subject, age, sex, BMI, diagnosis)
SUBJECTS = [
    ("S01", 34, "F", 22.1, "healthy control"),
    ("S02", 41, "M", 27.4, "Crohn's disease"),
    ("S03", 29, "F", None, "healthy control"),
    ("S04", 56, "M", 31.0, "ulcerative colitis"),
    ("S05", 47, "F", 24.8, "Crohn's disease"),
    ("S06", None, "M", 26.2, "healthy control"),
]
ANTIBIOTIC_VISITS = {("S04", "V1"), ("S02", "V2"), ("S05", "V2")}
# (site, location, catchment population, mean flow in million gallons/day, dates)
WASTEWATER_SITES = [
    ("North Plant", SACRAMENTO, 512000, 58.4, ["2024-11-04", "2024-11-25", "2024-12-16"]),
    ("South Plant", ELK_GROVE, 276000, 31.9, ["2024-11-04", "2024-11-25"]),
    ("Airport lift station", AIRPORT, None, 1.2, ["2024-11-11", "2024-11-25"]),
]
HOLIDAY_WEEK = "2024-11-25"
# (site, profile, surface material, room, terminal clean, platform)
HOSPITAL_SWABS = [
    ("Room 412 sink drain", "sink_drain", "porcelain", "412", None, "Illumina NovaSeq 6000"),
    ("Room 418 sink drain", "sink_drain", "porcelain", "418", None, "Illumina NovaSeq 6000"),
    ("Nurses' station sink drain", "sink_drain", "stainless steel", None, None, "Oxford Nanopore MinION"),
    ("Bed 3 rail", "skin_surface", "powder-coated steel", "412", "before", "Illumina NovaSeq 6000"),
    ("Bed 3 rail", "skin_surface", "powder-coated steel", "412", "after", "Illumina NovaSeq 6000"),
    ("Workstation keyboard", "skin_surface", "plastic", None, None, "Oxford Nanopore MinION"),
    ("Room 418 door handle", "skin_surface", "stainless steel", "418", None, "Illumina NovaSeq 6000"),
]


def make_id(*parts):
    """A stable 16-hex ID, so regenerating keeps every URI (and every test) the same."""
    return hashlib.sha256(":".join((SEED,) + parts).encode()).hexdigest()[:16]


def ref(resource, resource_id):
    return {"$ref": f"/api/v1/{resource}/{resource_id}"}


def rfc3339(moment):
    return moment.isoformat(timespec="microseconds" if moment.microsecond else "seconds")


def local_time(day, hour, minute, winter_offset):
    """A local wall-clock time with the UTC offset of the day (US DST, roughly by month)."""
    offset = winter_offset + (1 if 4 <= day.month <= 10 else 0)
    return datetime.combine(day, time(hour, minute), timezone(timedelta(hours=offset)))


def plan_samples():
    """Every sample as (project key, profile, conditions, metadata fields, tag names)."""
    plan = []
    for subject, age, sex, bmi, diagnosis in SUBJECTS:
        baseline = date(2024, 2, 5) + timedelta(days=7 * int(subject[1:]) - 7)
        for visit, day in (("V1", baseline), ("V2", baseline + timedelta(days=84))):
            antibiotics = (subject, visit) in ANTIBIOTIC_VISITS
            kinds = [("ST", "stool")] + ([("SA", "saliva")] if visit == "V1" and subject <= "S04" else [])
            for code, profile in kinds:
                plan.append(
                    {
                        "project": "gut",
                        "profile": profile,
                        "conditions": {"antibiotics": antibiotics, "ibd": diagnosis != "healthy control"},
                        "key": f"GMC-{subject}-{visit}-{code}",
                        "name": f"{subject} {profile}, {'baseline' if visit == 'V1' else 'week 12'}",
                        "collected": local_time(day, 8 if code == "ST" else 9, 30, BOSTON[3]),
                        "site": BOSTON,
                        "platform": "Illumina NovaSeq 6000" if subject != "S06" else "Illumina NextSeq 500",
                        "sample_type": "Stool" if code == "ST" else "Saliva",
                        "custom": {
                            "subject_id": f"GMC-{subject}",
                            "visit": "baseline" if visit == "V1" else "week 12",
                            "body_site": "gut" if code == "ST" else "oral cavity",
                            "subject_age": age,
                            "sex": sex,
                            "bmi": bmi,
                            "diagnosis": diagnosis,
                            "antibiotics_last_90d": antibiotics,
                            "bristol_stool_scale": None,
                        },
                        "tags": [
                            ("baseline" if visit == "V1" else "week-12"),
                            ("IBD" if diagnosis != "healthy control" else "healthy-control"),
                        ]
                        + (["antibiotics"] if antibiotics else [])
                        + (["saliva"] if code == "SA" else []),
                    }
                )
    for site, location, population, flow, days in WASTEWATER_SITES:
        for day in map(date.fromisoformat, days):
            short = "".join(word[0] for word in site.split()).upper()
            plan.append(
                {
                    "project": "wastewater",
                    "profile": "wastewater",
                    "conditions": {},
                    "key": f"WWS-{short}-{day:%Y%m%d}",
                    "name": f"{site} influent {day:%Y-%m-%d}",
                    "collected": local_time(day, 7, 0, location[3]),
                    "site": location,
                    "platform": "Illumina NovaSeq 6000",
                    "sample_type": "Wastewater influent",
                    "custom": {
                        "collection_site": site,
                        "sampler": "24-h flow-weighted composite",
                        "catchment_population": population,
                        "flow_mgd": flow,
                        "influent_temp_c": None,
                        "sars_cov2_gc_per_l": None,
                    },
                    "tags": ["influent", "24h-composite"]
                    + (["holiday-week"] if str(day) == HOLIDAY_WEEK else []),
                }
            )
    for number, (site, profile, material, room, clean, platform) in enumerate(HOSPITAL_SWABS, 1):
        day = date(2024, 6, 10) + timedelta(days=0 if clean != "after" else 1)
        plan.append(
            {
                "project": "hospital",
                "profile": profile,
                "conditions": {"after_clean": clean == "after"},
                "key": f"ICU-{number:02d}",
                "name": f"{site}" + (f" ({clean} terminal clean)" if clean else ""),
                "collected": local_time(day, 6 + number, 15, CHICAGO_ICU[3]),
                "site": CHICAGO_ICU,
                "platform": platform,
                "sample_type": "Sink drain swab" if profile == "sink_drain" else "Surface swab",
                "custom": {
                    "collection_site": site,
                    "surface_material": material,
                    "room": room,
                    "terminal_clean": clean,
                    "swab_area_cm2": 100 if profile == "skin_surface" else None,
                },
                "tags": ["ICU", "sink-drain" if profile == "sink_drain" else "high-touch"]
                + (["post-clean"] if clean == "after" else [])
                + (["nanopore"] if "Nanopore" in platform else []),
            }
        )
    return plan


def lineage(tax_id):
    """The tax IDs from this taxon up to the root."""
    chain = []
    while tax_id:
        chain.append(tax_id)
        tax_id = TAXA[tax_id][0]
    return chain


def genome_mb(tax_id):
    """A plausible genome size per species, fixed by its tax ID (reads scale with it)."""
    if tax_id in VIRUS_GENOME_MB:
        return VIRUS_GENOME_MB[tax_id]
    superkingdom = lineage(tax_id)[-3]
    low, high = {"2759": (12.0, 15.0), "2157": (1.7, 3.2)}.get(superkingdom, (1.8, 6.8))
    fraction = int(hashlib.sha256(tax_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return round(low + (high - low) * fraction, 3)


def composition(rng, sample):
    """Relative abundance by species tax ID for one sample."""
    profile = PROFILES[sample["profile"]]
    conditions = sample["conditions"]
    modifiers = [
        m
        for flag, m in (("antibiotics", ANTIBIOTICS), ("ibd", IBD), ("after_clean", AFTER_TERMINAL_CLEAN))
        if conditions.get(flag)
    ]
    weights = {}
    for name, spec in profile.items():
        weight, presence = (
            spec if isinstance(spec, tuple) else (spec, 0.97 if spec >= 1 else 0.85 if spec >= 0.1 else 0.6)
        )
        if conditions.get("antibiotics"):
            presence *= 0.7
        if rng.random() >= presence:
            continue
        tax_id = TAX_ID_BY_NAME[name]
        names = {TAXA[t][2] for t in lineage(tax_id)}
        for modifier in modifiers:
            weight *= math.prod(factor for taxon, factor in modifier.items() if taxon in names)
        weights[tax_id] = weight * rng.lognormvariate(0, 0.8)
    background = [t for n, t in TAX_ID_BY_NAME.items() if n not in profile and t not in VIRUS_GENOME_MB]
    # Low-level hits outside the profile, as real classifiers report; fewer where the profile is rich.
    for tax_id in rng.sample(background, max(8, rng.randint(70, 100) - len(weights))):
        weights[tax_id] = rng.uniform(0.0005, 0.01)
    total = sum(weights.values())
    return {tax_id: weight / total for tax_id, weight in weights.items()}


def classification_results(rng, sample):
    """The `/results` body: read counts over the taxonomy tree, abundances at species rank."""
    nanopore = "Nanopore" in sample["platform"]
    raw_reads = rng.randint(150_000, 600_000) if nanopore else rng.randint(4_000_000, 14_000_000)
    if sample["conditions"].get("after_clean"):
        raw_reads //= 4
    host = {"stool": (0.003, 0.02), "saliva": (0.2, 0.6), "skin_surface": (0.05, 0.3)}.get(
        sample["profile"], (0.001, 0.02)
    )
    host_reads = round(raw_reads * rng.uniform(*host))
    unclassified_reads = round(raw_reads * rng.uniform(0.1, 0.3))
    classified = raw_reads - host_reads - unclassified_reads

    abundance = composition(rng, sample)
    mass = {t: a * genome_mb(t) for t, a in abundance.items()}
    total_mass = sum(mass.values())
    direct = {t: round(classified * m / total_mass) for t, m in mass.items()}
    direct = {t: reads for t, reads in direct.items() if reads > 0}
    threshold = max(10, classified // 500_000)
    filtered = {
        t: (reads - round(reads * rng.uniform(0, 0.02)) if reads >= threshold else 0)
        for t, reads in direct.items()
    }

    children = {}
    for tax_id in direct:
        for child, parent in itertools.pairwise(lineage(tax_id)):
            children.setdefault(parent, set()).add(child)
    cumulative, cumulative_filtered = dict(direct), dict(filtered)

    def fill(tax_id):
        """Post-order: a higher node gets its own reads plus its children's."""
        if tax_id in direct:
            return
        kids = sorted(children[tax_id], key=int)
        for kid in kids:
            fill(kid)
        below = sum(cumulative[k] for k in kids)
        below_filtered = sum(cumulative_filtered[k] for k in kids)
        rank = TAXA[tax_id][1]
        share = rng.uniform(0.01, 0.03) if tax_id == "1" else rng.uniform(*DIRECT_READ_SHARE[rank])
        direct[tax_id] = round(below * share)
        filtered[tax_id] = direct[tax_id] - round(direct[tax_id] * rng.uniform(0, 0.03))
        cumulative[tax_id] = direct[tax_id] + below
        cumulative_filtered[tax_id] = filtered[tax_id] + below_filtered

    fill("1")
    weighted = {t: filtered[t] / genome_mb(t) for t in abundance if filtered.get(t)}
    total_weighted = sum(weighted.values())
    rows = [
        {
            "tax_id": tax_id,
            "name": TAXA[tax_id][2],
            "rank": TAXA[tax_id][1],
            "parent_tax_id": TAXA[tax_id][0],
            "readcount": direct[tax_id],
            "readcount_w_children": cumulative[tax_id],
            "abundance": round(weighted[tax_id] / total_weighted, 8) if tax_id in weighted else None,
            "filtered_readcount": filtered[tax_id],
            "filtered_readcount_w_children": cumulative_filtered[tax_id],
        }
        for tax_id in sorted(cumulative, key=lambda t: (-cumulative[t], int(t)))
    ]
    host_tax_ids = ["9606"] if sample["project"] == "gut" or sample["profile"] == "skin_surface" else []
    n_reads = cumulative["1"] + host_reads + unclassified_reads
    return {"n_reads": n_reads, "host_tax_ids": host_tax_ids, "table": rows}


def finish_custom(rng, sample):
    """Fill the measured custom fields that depend on the sample's own draw."""
    custom = sample["custom"]
    if sample["profile"] == "stool":
        custom["bristol_stool_scale"] = rng.choice(
            [3, 4, 4, 4, 5, 6] if not sample["conditions"]["ibd"] else [5, 6, 6, 7]
        )
    if sample["profile"] == "wastewater":
        custom["influent_temp_c"] = round(rng.uniform(16.5, 21.0), 1)
        custom["sars_cov2_gc_per_l"] = rng.choice([None] + [rng.randrange(20_000, 400_000, 100)] * 4)
        custom["flow_mgd"] = round(custom["flow_mgd"] * rng.uniform(0.85, 1.15), 1)
    return custom


def build(out):
    owner_id = make_id("user", "demo")
    job_id = make_id("job", "one-codex-database")
    created = datetime(2023, 11, 2, 16, 4, 11, 402113, timezone.utc)
    users = [{"$uri": f"/api/v1/users/{owner_id}", "email": "demo.analyst@example.org"}]
    jobs = [
        {
            "$uri": f"/api/v1/jobs/{job_id}",
            "created_at": rfc3339(created),
            "name": "One Codex Database",
            "analysis_type": "classification",
            "job_type": "kmer_lca",
            "public": True,
        }
    ]
    projects = {
        p["key"]: {
            "$uri": f"/api/v1/projects/{make_id('project', p['key'])}",
            "name": p["name"],
            "project_name": p["project_name"],
            "description": p["description"],
            "external_id": p["external_id"],
            "owner": ref("users", owner_id),
            "permissions": ["can_view", "can_edit"],
            "public": False,
        }
        for p in PROJECTS
    }
    plan = plan_samples()
    tag_names = list(dict.fromkeys(name for sample in plan for name in sample["tags"])) + ["resequenced"]
    tags = {name: {"$uri": f"/api/v1/tags/{make_id('tag', name)}", "name": name} for name in tag_names}
    samples, metadata, classifications, results = [], [], [], {}
    for index, sample in enumerate(plan, 1):
        rng = random.Random(f"{SEED}:{sample['key']}")
        sample_id, metadata_id, cls_id = (
            make_id(kind, sample["key"]) for kind in ("sample", "metadata", "classification")
        )
        body = classification_results(rng, sample)
        collected = sample["collected"]
        sequenced = datetime.combine(
            collected.date() + timedelta(days=rng.randint(18, 40)), time(0), collected.tzinfo
        )
        uploaded = (
            sequenced
            + timedelta(
                days=rng.randint(1, 3), seconds=rng.randint(0, 86_399), microseconds=rng.randint(0, 999_999)
            )
        ).astimezone(timezone.utc)
        nanopore = "Nanopore" in sample["platform"]
        illumina_name = f"{sample['key']}_S{index}_L00{1 + index % 2}_R1_001.fastq.gz"
        sample_tags = sample["tags"] + (["resequenced"] if sample["key"] == "GMC-S03-V2-ST" else [])
        samples.append(
            {
                "$uri": f"/api/v1/samples/{sample_id}",
                "created_at": rfc3339(uploaded),
                "updated_at": rfc3339(uploaded + timedelta(hours=rng.randint(1, 30))),
                "filename": f"{sample['key']}_barcode{index % 12 + 1:02d}.fastq.gz"
                if nanopore
                else illumina_name,
                "size": body["n_reads"] * (rng.randint(1100, 1500) if nanopore else rng.randint(95, 125)),
                "status": "available",
                "visibility": "private",
                "error_msg": None,
                "metadata": ref("metadata", metadata_id),
                "owner": ref("users", owner_id),
                "project": ref("projects", projects[sample["project"]]["$uri"].rsplit("/", 1)[1]),
                "primary_classification": ref("classifications", cls_id),
                "tags": [{"$ref": tags[name]["$uri"]} for name in sample_tags],
            }
        )
        location, lat, lon, _ = sample["site"]
        metadata.append(
            {
                "$uri": f"/api/v1/metadata/{metadata_id}",
                "sample": ref("samples", sample_id),
                "name": sample["name"],
                "description": None if index % 3 else f"{sample['sample_type']} sample {sample['key']}.",
                "external_sample_id": None if sample["key"] == "GMC-S02-V1-SA" else sample["key"],
                "date_collected": rfc3339(collected),
                "date_sequenced": None if sample["key"] == "WWS-NP-20241216" else rfc3339(sequenced),
                "platform": sample["platform"],
                "library_type": "WGS",
                "sample_type": sample["sample_type"],
                "location_string": location,
                "location_lat": lat,
                "location_lon": lon,
                "starred": sample["key"] in {"GMC-S02-V2-ST", "ICU-01"},
                "custom": finish_custom(rng, sample),
            }
        )
        finished = uploaded + timedelta(minutes=rng.randint(35, 95), seconds=rng.randint(0, 59))
        classifications.append(
            {
                "$uri": f"/api/v1/classifications/{cls_id}",
                "created_at": rfc3339(uploaded + timedelta(seconds=rng.randint(20, 90))),
                "updated_at": rfc3339(finished),
                "complete": True,
                "success": True,
                "error_msg": None,
                "job": ref("jobs", job_id),
                "sample": ref("samples", sample_id),
                "dependencies": [],
                "draft": False,
                "cost": None,
            }
        )
        results[cls_id] = body

    out.mkdir(parents=True, exist_ok=True)
    files = {
        "users": users,
        "jobs": jobs,
        "projects": list(projects.values()),
        "tags": list(tags.values()),
        "samples": samples,
        "metadata": metadata,
        "classifications": classifications,
    }
    for name, objects in files.items():
        (out / f"{name}.json").write_text(
            json.dumps(objects, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    results_dir = out / "results"
    results_dir.mkdir(exist_ok=True)
    for stale in results_dir.glob("*.json"):
        if stale.stem not in results:
            stale.unlink()
    for cls_id, body in results.items():
        (results_dir / f"{cls_id}.json").write_text(format_results(body), encoding="utf-8")
    return files, results


def format_results(body):
    """Compact JSON with one table row per line: small, yet readable in a diff."""
    rows = ",\n".join(json.dumps(row, separators=(",", ":"), ensure_ascii=False) for row in body["table"])
    head = json.dumps(
        {"n_reads": body["n_reads"], "host_tax_ids": body["host_tax_ids"]}, separators=(",", ":")
    )
    return f'{head[:-1]},"table":[\n{rows}\n]}}\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args()
    files, results = build(args.out)
    rows = [len(body["table"]) for body in results.values()]
    print(
        f"wrote {len(files['samples'])} samples in {len(files['projects'])} projects to {args.out} "
        f"({min(rows)}-{max(rows)} result rows per sample)"
    )


if __name__ == "__main__":
    main()
