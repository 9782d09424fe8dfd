// A user's TypeScript file type-checked by `tsc` against the installed packages' declarations.
import { Generator, noGrad, tensor, type Tensor } from "@kiln/tensor";
import { Linear, Llama, llamaConfig } from "@kiln/nn";
import { AdamW, warmupCosine } from "@kiln/optim";
import { ByteTokenizer, sotuCorpus } from "@kiln/data";
import { parseTrainConfig, type TrainConfig } from "@kiln/train";
import { commands, planStatus, type Plan } from "@kiln/lab";

const x: Tensor = tensor([[1, 2], [3, 4]], { requiresGrad: true });
const y: Tensor = x.matmul(x).relu().sum();
y.backward();
const shape: readonly number[] = x.grad!.shape;

const model = new Llama(llamaConfig({ vocab_size: 257, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2 }), { generator: new Generator(0) });
const head = new Linear(16, 4);
const opt = new AdamW(model.parameters(), { lr: 1e-3, betas: [0.9, 0.95] });
const lr: number = warmupCosine({ peakLr: 1e-3, warmupSteps: 10, totalSteps: 100 })(5);
const ids: number[] = [...new ByteTokenizer().encode("hi")];
const docs: number = sotuCorpus().documents.length;
const config: TrainConfig = parseTrainConfig({});
noGrad(() => head.forward(x));
opt.step();

// @ts-expect-error: matmul takes a tensor, not a string — the declarations are real types, not `any`
x.matmul("not a tensor");

const kilnCommands: string[] = Object.keys(commands);
const emptyPlan: Plan = { kind: "scaling", name: "none", runs: [] };
const states: string[] = typeof planStatus === "function" ? ["done"] : [];

export { shape, lr, ids, docs, config, kilnCommands, emptyPlan, states };
