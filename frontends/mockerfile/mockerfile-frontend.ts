import { KilnError } from '../../compiler/index.js';
import type { Frontend, FrontendRequest, FrontendResult, Gateway } from '../../compiler/index.js';
import { mockerfileToLlb } from './mockerfile-to-llb.js';
import { parseMockerfile } from './parse-mockerfile.js';

/**
 * The Mockerfile frontend: YAML build files in the format of github.com/r2d4/mockerfile, every
 * image compiled (`target` picks one, else the last), each able to build on an earlier one.
 */
export const mockerfileFrontend: Frontend = {
  name: 'mockerfile',
  detect: (files) => files.some((f) => /^(Mockerfile|mocker)\.ya?ml$/.test(f)),
  async build(req: FrontendRequest, gw: Gateway): Promise<FrontendResult> {
    const text = new TextDecoder().decode(req.source);
    const parsed = parseMockerfile(text, req.filename);
    const images = await mockerfileToLlb(parsed, req.filename, text, gw, req.platform);
    const target = req.target ?? req.opts.target;
    const name = target ?? parsed.file.images.at(-1)!.name;
    const image = images.get(name);
    if (!image) throw new KilnError('mockerfile/unknown-target', `no image named ${JSON.stringify(name)} in ${req.filename} (it has ${[...images.keys()].join(', ')})`);
    return { definition: await image.state.marshal(req.platform ? { platform: req.platform } : {}), imageConfig: image.config };
  },
};
