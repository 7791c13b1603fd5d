#!/usr/bin/env bash
# Sets up a local CUPS for the printing crate's CUPS test (crates/print/tests/cups.rs):
# installs CUPS, its filters, cups-pdf, the CUPS headers (the `printers` crate links libcups) and
# pdftotext where they are missing, starts cupsd if it is not running, and adds the PDF printer
# FYNLO_PDF. Safe to run again. Needs root (apt-get, cupsd, lpadmin).
#
#   bash scripts/cups.sh && FYNLO_CUPS=1 cargo test -p fynlo-print --test cups
set -euo pipefail

say() { printf 'cups.sh: %s\n' "$*"; }

need=()
[ -x /usr/sbin/cupsd ] || command -v cupsd >/dev/null || need+=(cups)
[ -x /usr/lib/cups/filter/texttopdf ] || need+=(cups-filters)
[ -e /usr/lib/cups/backend/cups-pdf ] || need+=(printer-driver-cups-pdf)
[ -e /usr/include/cups/cups.h ] || need+=(libcups2-dev)
command -v pdftotext >/dev/null || need+=(poppler-utils)
if ((${#need[@]})); then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

running() { lpstat -r 2>/dev/null | grep -q 'scheduler is running'; }
if ! running; then
  say "starting cupsd"
  mkdir -p /run/cups
  cupsd_bin=$(command -v cupsd || echo /usr/sbin/cupsd)
  # cupsd detaches itself (without -f); a second start while one runs would only fail to bind.
  "$cupsd_bin"
  for _ in $(seq 1 50); do
    running && break
    sleep 0.2
  done
  running || { say "cupsd did not start (lpstat -r: $(lpstat -r 2>&1))"; exit 1; }
fi
say "$(lpstat -r)"

if ! lpstat -p FYNLO_PDF >/dev/null 2>&1; then
  ppd=$(lpinfo -m 2>/dev/null | grep -i 'cups-pdf' | grep -i '_opt' | head -n 1 | cut -d' ' -f1 || true)
  [ -n "$ppd" ] || ppd=$(lpinfo -m 2>/dev/null | grep -i 'pdf' | head -n 1 | cut -d' ' -f1 || true)
  [ -n "$ppd" ] || { say "no PDF driver found by lpinfo -m"; exit 1; }
  say "adding FYNLO_PDF (cups-pdf:/, $ppd)"
  lpadmin -p FYNLO_PDF -E -v cups-pdf:/ -m "$ppd"
fi
# Text reaches cups-pdf as PDF (texttopdf) turned into PostScript; poppler's default renderer for that
# keeps texttopdf's embedded font without its map back to characters, so pdftotext would read symbols.
# Cairo's renderer keeps the text readable.
lpadmin -p FYNLO_PDF -o pdftops-renderer-default=pdftocairo
cupsenable FYNLO_PDF
cupsaccept FYNLO_PDF

# Raw queues (`lpadmin -m raw`) are deprecated but still work in CUPS 2.x; before 2.2 the raw filter
# had to be switched on in raw.convs/raw.types for jobs of an unknown type. The test's jobs say
# application/vnd.cups-raw, which every version passes through unfiltered.
out=$(sed -n 's/^Out[[:space:]]\+//p' /etc/cups/cups-pdf.conf 2>/dev/null | head -n 1)
say "FYNLO_PDF is ready; cups-pdf writes to ${out:-\${HOME\}/PDF} (HOME of the job's user)"
