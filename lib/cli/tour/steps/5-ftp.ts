// Tour step: FTP — start netlab ftpd on a free port, then with our hand-written client log in
// anonymously, list, change folder, download a file and upload one to incoming/ (the lab's questions).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FtpClient } from '../../../ftp/client/index.ts';
import { listingLines } from '../../../ftp/client/listing.ts';
import { startFtpServer } from '../../../ftp/server/index.ts';
import { formatAddress } from '../../../services/handle.ts';
import type { TourStep } from '../tour.ts';

export default {
  title: 'FTP (ftpd, and a client written by hand: PI and DTP)',
  async run({ config, out, signal, defer }) {
    const root = path.join(config.dataDir, 'ftp');
    mkdirSync(path.join(root, 'pub'), { recursive: true });
    mkdirSync(path.join(root, 'incoming'), { recursive: true });
    writeFileSync(path.join(root, 'pub', 'readme.txt'), 'RFC 959: the control connection carries commands, the data connection carries files.\n');
    writeFileSync(path.join(root, 'pub', 'ports.txt'), '21 control (PI)\n20 data (DTP, active mode)\n');

    out.line('$ netlab ftpd --port 0 --writable');
    const server = await startFtpServer({ host: '127.0.0.1', port: 0, root, writable: true });
    defer(() => server.close());
    const { port } = server.address;
    out.line(`  ftpd listening on ${formatAddress(server.address)}, root ${path.basename(root)}/ (anonymous, uploads to incoming/)`);

    // The PI dialogue is shown for the login and the first transfer, then kept quiet.
    let showDialogue = true;
    const trace = (direction: string, line: string) => {
      if (showDialogue && direction !== 'note') out.line(`    ${direction === 'sent' ? '->' : '<-'} ${line}`);
    };
    out.line(`$ netlab ftp shell --trace ftp://127.0.0.1:${port}/`);
    const client = await FtpClient.connect({ host: '127.0.0.1', port, signal, trace, replyTimeoutMs: 5_000 });
    defer(() => client.close());
    await client.login();

    out.line('  ftp> ls');
    showDialogue = false;
    const listing = listingLines(await client.list());
    for (const line of listing) out.line(`    ${line}`);

    out.line('  ftp> cd pub');
    await client.cd('pub');
    out.line(`  ftp> pwd\n    ${await client.pwd()}`);

    const downloads = path.join(config.dataDir, 'downloads');
    mkdirSync(downloads, { recursive: true });
    const local = path.join(downloads, 'readme.txt');
    out.line('  ftp> get readme.txt      (EPSV: a second connection carries the file)');
    showDialogue = true;
    const received = await client.downloadFile('readme.txt', local);
    showDialogue = false;
    out.line(`    received ${received} bytes: ${readFileSync(local, 'utf8').trim()}`);

    const notes = path.join(downloads, 'notes.txt');
    writeFileSync(notes, `uploaded by the tour at ${new Date().toISOString()}\n`);
    out.line('  ftp> put notes.txt /incoming/notes.txt');
    const sent = await client.uploadFile(notes, '/incoming/notes.txt');
    const arrived = readFileSync(path.join(root, 'incoming', 'notes.txt'), 'utf8') === readFileSync(notes, 'utf8');
    out.line(`    sent ${sent} bytes; on the server: incoming/notes.txt ${arrived ? 'identical' : 'DIFFERENT'}`);
    out.line('  ftp> bye');
    await client.quit();
    if (!arrived) throw new Error('the uploaded file differs on the server');
    return `anonymous login, ${listing.length} entries listed, readme.txt downloaded (${received} B), notes.txt uploaded to incoming/`;
  },
} satisfies TourStep;
