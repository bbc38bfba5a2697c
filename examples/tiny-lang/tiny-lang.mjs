// A complete kiln frontend in one file: "tiny", a three-key YAML build language.
//
//   from: localhost:5000/busybox:latest   # the base image
//   src: app                               # a directory of the context, copied to /app
//   build: sh build.sh                     # run in /app; its output is the image
//
// Plug it in without touching kiln:  kiln build --frontend ./examples/tiny-lang/tiny-lang.mjs -f app.tiny .
// Or emit LLB for BuildKit:          kiln compile --frontend ./examples/tiny-lang/tiny-lang.mjs -f app.tiny . | buildctl build --local context=.
import { llb } from 'kiln/compiler';
import { parse } from 'yaml';

/** A mistake in the build file: kiln prints the message, without a stack trace. */
class TinyError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TinyError';
    this.code = 'tiny/invalid';
  }
}

export const frontend = {
  name: 'tiny',
  detect: (files) => files.some((f) => f.endsWith('.tiny')),

  /**
   * @param {import('kiln/compiler').FrontendRequest} req the build file, options, target, platform
   * @param {import('kiln/compiler').Gateway} gw nested solves and image configs
   */
  async build(req, gw) {
    const spec = parse(new TextDecoder().decode(req.source)) ?? {};
    for (const key of Object.keys(spec)) {
      if (!['from', 'src', 'build'].includes(key)) throw new TinyError(`${req.filename}: unknown key "${key}" (tiny knows from, src, build)`);
    }
    if (typeof spec.from !== 'string' || typeof spec.src !== 'string' || typeof spec.build !== 'string') {
      throw new TinyError(`${req.filename}: from, src and build are all required strings`);
    }

    // The base image's config (ENV, WORKDIR, ...) comes through the gateway, pinned by digest.
    const base = await gw.resolveImageConfig(spec.from, req.platform);
    const image = llb.image(base.digest ? `${spec.from}@${base.digest}` : spec.from, { config: base.config.config ?? {} });

    // Only the named directory of the context is sent, and the cache follows its content only.
    const src = llb.local('context', { include: [`${spec.src}/**`], ...(req.sessionId ? { sessionId: req.sessionId } : {}) });
    const withSrc = image.file(llb.copy(src, `/${spec.src}`, '/app', { copyDirContentsOnly: true, createDestPath: true }), { customName: `COPY ${spec.src} /app` });

    const built = withSrc.dir('/app').run({ shell: spec.build, customName: `RUN ${spec.build}` }).root();
    const config = {
      ...base.config,
      config: { ...(base.config.config ?? {}), WorkingDir: '/app', Cmd: ['/app/run'] },
    };
    return { definition: await built.marshal(), imageConfig: config };
  },
};
