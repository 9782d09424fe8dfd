/**
 * @file Writes the seeded interop models (HF directories and llama2.c `.bin`
 * files, see test/interop-models.ts) for `make_interop_fixtures.py` to check
 * independently. Usage, from the repository root:
 *
 *   npx tsx packages/nn/scripts/make_interop_models.ts .cache/kiln-interop
 *   /usr/bin/python3 packages/nn/scripts/make_interop_fixtures.py .cache/kiln-interop
 */
import { writeInteropModels } from "../test/interop-models.js";

const dir = process.argv[2] ?? ".cache/kiln-interop";
writeInteropModels(dir);
console.log(`wrote the interop models to ${dir}`);
