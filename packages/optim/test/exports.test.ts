/**
 * @file @kiln/optim's export list, so API changes show up in review.
 */
import { expect, it } from "vitest";
import * as optim from "../src/index.js";

it("exports exactly this API", () => {
  expect(Object.keys(optim).sort()).toEqual([
    "Adam",
    "AdamW",
    "LRScheduler",
    "NonFiniteGradError",
    "OPTIMIZER_STATE_FORMAT",
    "Optimizer",
    "SGD",
    "adamL2Update",
    "adamScalars",
    "adamwUpdate",
    "clipGradNorm",
    "constantLr",
    "gradNorm",
    "linearDecay",
    "linearWarmup",
    "looksLikeEmbedding",
    "packStateDict",
    "parseOptimizerState",
    "serializeOptimizerState",
    "sgdUpdate",
    "unpackStateDict",
    "warmupCosine",
    "warmupStableDecay",
    "weightDecayGroups",
  ]);
});
