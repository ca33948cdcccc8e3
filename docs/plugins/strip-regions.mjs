// TypeDoc plugin: `{@includeCode file}` of a whole example pulls in its `// #region name` and
// `// #endregion name` lines, which are there only to let API pages include one part
// (`{@includeCode file#main}`). Readers should see the program, not the markers: drop them from
// every code block once all includes are resolved (guides, API comments, the readme alike).
import { Converter } from 'typedoc';

const MARKER = /^[ \t]*\/\/ *#(?:end)?region\b.*\n?/gm;

/** @param {import('typedoc').CommentDisplayPart[] | undefined} parts */
function strip(parts) {
  for (const part of parts ?? []) {
    if (part.kind === 'code' && part.text.trimStart().startsWith('```')) part.text = part.text.replace(MARKER, '');
  }
}

/** @param {import('typedoc').Comment | undefined} comment */
function stripComment(comment) {
  if (!comment) return;
  strip(comment.summary);
  for (const tag of comment.blockTags) strip(tag.content);
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    strip(project.readme);
    for (const reflection of Object.values(project.reflections)) {
      stripComment(reflection.comment);
      if (reflection.isDocument()) strip(reflection.content);
      if (reflection.isDeclaration()) {
        for (const signature of reflection.getNonIndexSignatures()) stripComment(signature.comment);
      }
    }
  });
}
