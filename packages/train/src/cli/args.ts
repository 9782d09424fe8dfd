/**
 * @file kiln's own command-line parser: `--name value`, `--name=value`,
 * repeatable options, negative numbers as values (`--temperature -1` reaches
 * the range check that names the flag), and one-line errors with a
 * did-you-mean for mistyped options.
 */
import { closest } from "../config/schema.js";

/** How an option takes its value. */
export interface OptionSpec {
  type: "string" | "boolean";
  /** Collected into a list when given more than once. */
  multiple?: boolean;
  short?: string;
}

/** Parsed options (string, boolean or list per their spec) and positional arguments. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** A command-line mistake; the message is the whole one-line error. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Parses `args` against `options`; unknown options, missing values and repeated single options are errors. */
export function parseCommandLine(args: readonly string[], options: Readonly<Record<string, OptionSpec>>, command: string): ParsedArgs {
  const values: ParsedArgs["values"] = {};
  const positionals: string[] = [];
  const names = Object.keys(options);
  const byShort = new Map(Object.entries(options).filter(([, o]) => o.short !== undefined).map(([n, o]) => [o.short!, n]));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-" || /^-\d|^-\.\d/.test(arg)) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const name = flag.startsWith("--") ? flag.slice(2) : byShort.get(flag.slice(1));
    const spec = name === undefined ? undefined : options[name];
    if (name === undefined || spec === undefined) {
      const hint = closest(flag.replace(/^-+/, ""), names);
      throw new UsageError(`unknown option ${flag}${hint ? ` (did you mean --${hint}?)` : ""}; see kiln ${command} --help`);
    }
    let value: string | boolean;
    if (spec.type === "boolean") {
      if (eq > 0) throw new UsageError(`--${name} takes no value (got ${JSON.stringify(arg.slice(eq + 1))})`);
      value = true;
    } else if (eq > 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(`--${name} needs a value${next === undefined ? "" : ` (got the option ${next}; write --${name}=${next} if that is the value)`}`);
      }
      value = next;
      i++;
    }
    if (spec.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value as string];
    else if (values[name] !== undefined && values[name] !== value) throw new UsageError(`--${name} is given twice (${JSON.stringify(values[name])} and ${JSON.stringify(value)})`);
    else values[name] = value;
  }
  return { values, positionals };
}
