"""microt's offline factory: teacher import, student distillation, quantization, .mtm export
and the probes that score extractors. Entry points run as modules from the repository root
(`python3 -m factory.distill ...`, or `factory/run.sh distill.py ...`, which also sets the
process environment of factory/env.py before Python starts)."""
