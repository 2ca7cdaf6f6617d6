/**
 * A safe arithmetic evaluator for the `calculate` tool (no eval): numbers, + - * / % ** (also ^),
 * parentheses and unary minus, with the usual precedence (** binds tighter than unary minus and
 * groups to the right, as in Python). The result is rounded to 12 significant digits, so that
 * 200 * 0.15 is 30, not 30.000000000000004.
 */
export function evaluate(expression: string): number {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];

  function sum(): number {
    let value = product();
    while (peek() === "+" || peek() === "-")
      value = next() === "+" ? value + product() : value - product();
    return value;
  }
  function product(): number {
    let value = unary();
    while (peek() === "*" || peek() === "/" || peek() === "%") {
      const op = next();
      const right = unary();
      if (op !== "*" && right === 0) throw new Error("division by zero");
      value =
        op === "*" ? value * right : op === "/" ? value / right : value % right;
    }
    return value;
  }
  function unary(): number {
    if (peek() === "-") {
      next();
      return -unary();
    }
    if (peek() === "+") {
      next();
      return unary();
    }
    return power();
  }
  function power(): number {
    const base = atom();
    if (peek() === "**") {
      next();
      return base ** unary();
    }
    return base;
  }
  function atom(): number {
    const t = next();
    if (t === "(") {
      const value = sum();
      if (next() !== ")") throw new Error('missing ")"');
      return value;
    }
    if (typeof t === "number") return t;
    throw new Error(
      t === undefined ? "unexpected end" : `unexpected "${String(t)}"`,
    );
  }

  const value = sum();
  if (pos < tokens.length)
    throw new Error(`unexpected "${String(tokens[pos])}"`);
  if (!Number.isFinite(value)) throw new Error("the result is not finite");
  return Number(value.toPrecision(12));
}

type Token = number | string;

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s*(?:(\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|(\*\*|\^|[-+*/%()]))/y;
  const s = expression.trim();
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m) throw new Error(`cannot read "${s.slice(at, at + 10)}"`);
    if (m[2] !== undefined) tokens.push(m[2] === "^" ? "**" : m[2]);
    else tokens.push(Number(m[0]));
    at = re.lastIndex;
  }
  return tokens;
}
