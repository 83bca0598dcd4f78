// The docs page (demo/docs.html): links to the guides (demo/guides/*.md) and the API reference,
// both built by `npm run docs` (TypeDoc) into demo/api/, which the dev server serves; says how to
// build them where they are missing, and checks that every link it shows leads to a built page.

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

/** Reference pages, as TypeDoc names them (the entry module is `index`, since the guides sit beside it). */
const reference = [
  ['Everything exported (functions, classes, types)', 'modules/index.html'],
  ['Tensor', 'classes/index.Tensor.html'],
  ['layers', 'modules/index.layers.html'],
  ['optim', 'modules/index.optim.html'],
  ['losses', 'modules/index.losses.html'],
  ['nn', 'modules/index.nn.html'],
  ['data', 'modules/index.data.html'],
] as const;

/** Whether `path` under demo/api/ is a page TypeDoc built (a missing one comes back as the dev server's fallback page). */
const isBuilt = async (path: string): Promise<boolean> => (await (await fetch(`/demo/api/${path}`)).text()).includes('tsd-');

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
  const links = [...guides, ...reference];
  const missing = (await Promise.all(links.map(async ([, path]) => ((await isBuilt(path)) ? [] : [path])))).flat();
  const built = missing.length < links.length;
  $('#missing').hidden = built;
  $('#status').textContent = !built ? 'The reference is not built.' : missing.length ? `Built, but these pages are missing: ${missing.join(', ')}.` : 'The guides and the reference are built.';
  return [
    { name: 'docs page', pass: true, message: built ? 'docs built' : 'docs not built' },
    { name: 'every guide and reference link leads to a built page', pass: missing.length === 0, message: missing.length ? `missing: ${missing.join(', ')}` : `${links.length} pages` },
  ];
});
