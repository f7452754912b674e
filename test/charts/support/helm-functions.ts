// Names a Helm 3 template may call: Go's text/template builtins, Helm's own functions and Sprig's
// (https://helm.sh/docs/chart_template_guide/function_list/). Not exhaustive for Sprig's rarer
// corners; a name missing here that Helm does have can simply be added.

const GO_BUILTINS = ['and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery', 'eq', 'ge', 'gt', 'le', 'lt', 'ne'];

const HELM = ['include', 'tpl', 'required', 'lookup', 'toYaml', 'toYamlPretty', 'fromYaml', 'fromYamlArray', 'toJson', 'fromJson', 'fromJsonArray', 'toToml', 'fromToml', 'mustToJson'];

const SPRIG = [
  // strings
  'trim', 'trimAll', 'trimPrefix', 'trimSuffix', 'upper', 'lower', 'title', 'untitle', 'repeat', 'substr', 'nospace', 'trunc', 'abbrev', 'abbrevboth',
  'initials', 'randAlphaNum', 'randAlpha', 'randNumeric', 'randAscii', 'wrap', 'wrapWith', 'contains', 'hasPrefix', 'hasSuffix', 'quote', 'squote', 'cat',
  'indent', 'nindent', 'replace', 'plural', 'snakecase', 'camelcase', 'kebabcase', 'swapcase', 'shuffle', 'regexMatch', 'mustRegexMatch', 'regexFindAll',
  'regexFind', 'regexReplaceAll', 'regexReplaceAllLiteral', 'regexSplit', 'regexQuoteMeta', 'toString', 'toStrings', 'join', 'splitList', 'split', 'splitn', 'sortAlpha',
  // numbers
  'add', 'add1', 'sub', 'div', 'mod', 'mul', 'max', 'min', 'floor', 'ceil', 'round', 'int', 'int64', 'float64', 'atoi', 'toDecimal', 'seq', 'until', 'untilStep',
  'addf', 'add1f', 'subf', 'divf', 'mulf', 'maxf', 'minf',
  // defaults, types, flow
  'default', 'empty', 'coalesce', 'all', 'any', 'ternary', 'fail', 'kindOf', 'kindIs', 'typeOf', 'typeIs', 'typeIsLike', 'deepEqual',
  // lists
  'list', 'first', 'mustFirst', 'rest', 'mustRest', 'last', 'mustLast', 'initial', 'mustInitial', 'append', 'mustAppend', 'prepend', 'mustPrepend', 'concat',
  'reverse', 'mustReverse', 'uniq', 'mustUniq', 'without', 'mustWithout', 'has', 'mustHas', 'compact', 'mustCompact', 'chunk', 'mustChunk',
  // dicts
  'dict', 'get', 'set', 'unset', 'hasKey', 'pluck', 'dig', 'merge', 'mustMerge', 'mergeOverwrite', 'mustMergeOverwrite', 'keys', 'pick', 'omit', 'values',
  'deepCopy', 'mustDeepCopy',
  // encoding, crypto, versions, dates, paths
  'b64enc', 'b64dec', 'b32enc', 'b32dec', 'sha1sum', 'sha256sum', 'adler32sum', 'htpasswd', 'uuidv4', 'semver', 'semverCompare',
  'now', 'date', 'dateInZone', 'duration', 'durationRound', 'unixEpoch', 'dateModify', 'toDate', 'ago', 'htmlDate',
  'base', 'dir', 'clean', 'ext', 'isAbs', 'urlParse', 'urlJoin',
];

export const HELM_FUNCTIONS: ReadonlySet<string> = new Set([...GO_BUILTINS, ...HELM, ...SPRIG]);

/** Words of the template language itself (and the root object's fields used without a dot). */
export const TEMPLATE_KEYWORDS: ReadonlySet<string> = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'nil', 'true', 'false']);
