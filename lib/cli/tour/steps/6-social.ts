// Tour step: the social graph — build ReseauxTelecom's ego graph from the offline network, save it
// for Gephi (GEXF), graphology (JSON), as a picture (SVG) and a page (HTML), and print its figures.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { dataPath } from '../../../paths.ts';
import { writeGraphFile } from '../../../graph/export.ts';
import { renderHtml, renderSvg } from '../../../graph/render.ts';
import { graphStats } from '../../../graph/stats.ts';
import { openResponseCache } from '../../../social/cache.ts';
import { crawlEgoGraph } from '../../../social/crawl.ts';
import { fixtureCentre } from '../../../social/fixture/generate.ts';
import { createFixtureProvider } from '../../../social/providers/fixture.ts';
import type { TourStep } from '../tour.ts';

export default {
  title: 'Social graph (offline network, GEXF, SVG, HTML)',
  async run({ config, out, signal, defer, keepDir }) {
    const { social } = config;
    const provider = createFixtureProvider({ file: social.fixtureFile });
    const me = await provider.profile(fixtureCentre);
    out.line(`$ netlab social user ${fixtureCentre}`);
    out.line(`  @${me.handle} — ${me.name}: id ${me.id}, ${me.followers} followers, follows ${me.following}, ${me.posts} posts, since ${me.created?.slice(0, 10)}`);
    out.line(`  status: ${(await provider.latestPost?.(me.id))?.text ?? '(none)'}`);

    const cache = openResponseCache(dataPath(config, social.cacheFile), { ttlMs: social.cacheTtlHours * 3_600_000 });
    defer(() => cache.close());
    const options = { provider, cache, max: social.maxAccounts, order: social.order, signal };
    out.line(`$ netlab social graph ${fixtureCentre} --provider fixture`);
    const crawl = await crawlEgoGraph(fixtureCentre, options);
    const again = await crawlEgoGraph(fixtureCentre, options);
    out.line(`  ${crawl.graph.order} accounts, ${crawl.graph.size} follows: ${crawl.calls} API calls (one per page); run again: ${again.calls} calls, ${again.cached} from the cache`);

    // The pictures stay after the tour (data/graphs/), for Gephi and the browser.
    const folder = path.resolve(keepDir(), config.graph.exportDir);
    mkdirSync(folder, { recursive: true });
    const files = ['gexf', 'json', 'svg', 'html'].map((extension) => path.join(folder, `${fixtureCentre}.${extension}`));
    const [gexf, json, svg, html] = files;
    await writeGraphFile(crawl.graph, gexf);
    await writeGraphFile(crawl.graph, json);
    await renderSvg(crawl.graph, svg, { title: `@${fixtureCentre} ego graph` });
    await renderHtml(crawl.graph, html, { title: `@${fixtureCentre} ego graph` });
    out.line(`  wrote ${files.map(shown).join(', ')} (open the .gexf in Gephi, the .html in a browser)`);

    const stats = graphStats(crawl.graph);
    out.line(`$ netlab graph stats ${shown(gexf)}`);
    out.line(`  density ${stats.density.toFixed(3)}, reciprocity ${stats.reciprocity.toFixed(2)} (${stats.mutualPairs} mutual pairs), ${stats.communities.count} communities (sizes ${stats.communities.sizes.join(', ')})`);
    out.line(`  most followed inside: ${stats.topByInDegree.slice(0, 5).map((a) => `@${a.handle} (${a.inDegree})`).join(', ')}`);
    return `${stats.nodes} accounts, ${stats.edges} follows, ${stats.communities.count} communities; GEXF, JSON, SVG, HTML written`;
  },
} satisfies TourStep;

/** data/graphs/x.gexf when it is under the current folder; the whole path when it is elsewhere (~/.local/state…). */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') ? file : relative;
}
