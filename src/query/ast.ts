/**
 * The parsed query, as grammar.peggy builds it. Nodes the engine refuses (`unsupported`) are kept
 * in the tree so that compile.ts can name the construct in its one-line refusal.
 */

export type Expr =
  | { kind: 'field'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'regex'; source: string }
  | { kind: 'duration'; text: string }
  | { kind: 'star' }
  | { kind: 'not'; operand: Expr }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr }
  | { kind: 'like'; negated: boolean; subject: Expr; pattern: StringPattern }
  | { kind: 'in'; negated: boolean; subject: Expr; values: Expr[] }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'unsupported'; what: string };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type StringPattern = { kind: 'string'; value: string } | { kind: 'regex'; source: string };

export interface Aliased {
  expr: Expr;
  alias: string | undefined;
}

export type Command =
  | { kind: 'fields'; items: Aliased[] }
  | { kind: 'display'; fields: string[] }
  | { kind: 'filter'; expr: Expr }
  | { kind: 'stats'; aggregates: Aliased[]; by: Aliased[] }
  | { kind: 'sort'; keys: { field: string; direction: 'asc' | 'desc' | undefined }[] }
  | { kind: 'limit'; text: string }
  | { kind: 'unsupported'; what: string };

export type Query = Command[];
