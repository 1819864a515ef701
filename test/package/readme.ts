/** The code blocks of a Markdown file (its ```ts programs, and blocks of other languages), with where they are. */

/** One fenced code block. */
export interface TypeScriptBlock {
  /** The nearest heading above the block, without its `#`s. */
  readonly heading: string;
  /** 1-based line of the block's first code line in the Markdown file. */
  readonly line: number;
  readonly code: string;
}

const FENCE = /^\s*```+\s*([\w-]*)/;
const HEADING = /^#{1,6}\s+(.*?)\s*#*\s*$/;
const TYPESCRIPT = new Set(['ts', 'typescript']);

/** Every ```ts / ```typescript block, in order. */
export function typeScriptBlocks(markdown: string): TypeScriptBlock[] {
  return codeBlocks(markdown, TYPESCRIPT);
}

/** Every block in one of `languages` (```json, ```sh, ...), in order. Lines inside fenced blocks are never taken for headings. */
export function codeBlocks(markdown: string, languages: ReadonlySet<string>): TypeScriptBlock[] {
  const blocks: TypeScriptBlock[] = [];
  const lines = markdown.split('\n');
  let heading = '';
  let open: { language: string; line: number; code: string[] } | undefined;
  lines.forEach((text, index) => {
    const fence = FENCE.exec(text);
    if (open) {
      if (fence && fence[1] === '') {
        if (languages.has(open.language)) blocks.push({ heading, line: open.line, code: open.code.join('\n') + '\n' });
        open = undefined;
      } else {
        open.code.push(text);
      }
    } else if (fence) {
      open = { language: fence[1].toLowerCase(), line: index + 2, code: [] };
    } else {
      const title = HEADING.exec(text);
      if (title) heading = title[1];
    }
  });
  if (open) throw new Error(`the code block opened at line ${open.line - 1} is never closed`);
  return blocks;
}
