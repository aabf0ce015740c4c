"""Latency of the guard on chat-sized messages (Python engine, and node for assets/guard.js).

Run: .venv/bin/python bench/guard_bench.py
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from chat_widget.guard import mask, scan

ROOT = Path(__file__).resolve().parents[1]

MESSAGES = {
    "clean 500 chars": (
        "Bonjour, j'ai un souci avec ma carte Visa depuis le 12/05/2026: le paiement de 1.234,56 EUR "
        "chez le garagiste à 1000 Bruxelles a été refusé trois fois. J'ai appelé le 078 170 170 mais "
        "personne ne répond. Pouvez-vous vérifier mon dossier SIN-2026-000123 et la communication "
        "+++123/4567/89012+++ ? Mijn partner heeft hetzelfde probleem met haar kaart sinds vorige week "
        "en ze kreeg een foutcode 5012 in de app. Thanks a lot, we are quite worried about this. "
        "Merci d'avance pour votre aide et bonne journée à toute l'équipe du service clientèle!"
    ),
    "secrets 500 chars": (
        "Bonjour, mon code pin est 4 8 2 1 et ma carte 4111 1111 1111 1111 est bloquée depuis hier. "
        "Mon IBAN est BE68 5390 0754 7034 et mon numéro national 85.07.30-033.28 si besoin. Mijn "
        "wachtwoord is Zomer2024! en de sms code was 482913, de kaartlezer gaf 1234 5678. My cvv is "
        "123. Meine PIN lautet vier drei zwei eins. J'attends votre retour rapidement car je dois "
        "payer le loyer de 1 250,00 € avant le 01/12/2026, merci beaucoup pour votre aide rapide!!"
    ),
}


def bench_python(text: str, rounds: int = 2000) -> tuple[float, float]:
    for _ in range(200):
        scan(text)
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        scan(text)
        samples.append((time.perf_counter_ns() - t0) / 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def bench_node(text: str, rounds: int = 2000) -> str:
    node = shutil.which("node")
    if node is None:
        return "node not on PATH"
    script = (
        "const g=require(process.argv[1]);const t=process.argv[2];const n=+process.argv[3];"
        "for(let i=0;i<200;i++)g.scan(t);const s=[];for(let i=0;i<n;i++){const a=process.hrtime.bigint();"
        "g.scan(t);s.push(Number(process.hrtime.bigint()-a)/1000);}s.sort((a,b)=>a-b);"
        "console.log(JSON.stringify([s[n>>1],s[Math.floor(n*0.95)]]))"
    )
    out = subprocess.run(
        [node, "-e", script, str(ROOT / "assets" / "guard.js"), text, str(rounds)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    median, p95 = json.loads(out)
    return f"median {median:.0f} us, p95 {p95:.0f} us"


def main() -> None:
    for name, text in MESSAGES.items():
        median, p95 = bench_python(text)
        result = scan(text)
        print(f"{name} ({len(text)} chars) -> {result.action} {result.kinds}")
        print(f"  python scan: median {median:.0f} us, p95 {p95:.0f} us")
        print(f"  node   scan: {bench_node(text)}")
    print("  masked:", mask(MESSAGES["secrets 500 chars"])[:160], "...")
    js = ROOT / "assets" / "guard.js"
    gz = subprocess.run(["gzip", "-9c", str(js)], capture_output=True, check=True).stdout
    print(f"assets/guard.js: {js.stat().st_size} bytes, {len(gz)} bytes gzip -9")


if __name__ == "__main__":
    main()
