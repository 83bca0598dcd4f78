// The docs page (demo/docs.html): links to the guides (demo/guides/*.md) and the API reference,
// both built by `npm run docs` (TypeDoc) into demo/api/, which the dev server serves; says how to
// build them where they are missing.

import { $, runPage, startPage } from './shared/page';

/** The guides, as TypeDoc names their pages (from each Markdown file's title). */
const guides = [
  ['Getting started (both API styles)', 'index.html'],
  ['Tensors and laziness', 'documents/Tensors_and_laziness.html'],
  ['Autograd', 'documents/Autograd.html'],
  ['Layers and models', 'documents/Layers_and_models.html'],
  ['Training', 'documents/Training.html'],
  ['Data and saving', 'documents/Data_and_saving.html'],
  ['Performance: fusion, explain, memory', 'documents/Performance.html'],
] as const;

const reference = [
  ['Everything exported (functions, classes, types)', 'modules.html'],
  ['Tensor', 'classes/Tensor.html'],
  ['layers', 'modules/layers.html'],
  ['optim', 'modules/optim.html'],
  ['losses', 'modules/losses.html'],
  ['nn', 'modules/nn.html'],
] as const;

function list(el: HTMLElement, links: readonly (readonly [string, string])[]): void {
  for (const [title, path] of links) {
    const li = document.createElement('li');
    li.append(Object.assign(document.createElement('a'), { href: `/demo/api/${path}`, textContent: title }));
    el.append(li);
  }
}

runPage(async () => {
  await startPage();
  list($('#guides'), guides);
  list($('#reference'), reference);
  // A missing page would come back as the site's index (the dev server's fallback): look for TypeDoc's markup.
  const built = (await (await fetch('/demo/api/modules.html')).text()).includes('tsd-');
  $('#missing').hidden = built;
  $('#status').textContent = built ? 'The reference is built.' : 'The reference is not built.';
  return [{ name: 'docs page', pass: true, message: built ? 'docs built' : 'docs not built' }];
});
