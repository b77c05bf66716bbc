/**
 * Java: Maven, Gradle and javac builds; the jar or classes on the JRE of the same
 * version. Pure.
 */
import { isAlpine, javaRuntime, nativeRuntime, type ImageRef } from '../images';
import { optionValue, type SimpleCommand } from '../shell';
import { base, commandsOf, plan, prog, readContext, resolveIn, type LanguageInput, type LanguageModule, type LanguagePlan } from './types';

function analyzeJava(inp: LanguageInput): LanguagePlan {
  const rt = javaRuntime(inp.base);
  // A runtime made with jlink in the build: it is the JRE; a plain glibc base carries it.
  const jlink = commandsOf(inp.steps, (c) => prog(c) === 'jlink').map(({ cmd }) => ({ cmd, out: optionValue(cmd.words, ['--output']) }))[0];
  const jlinkDir = jlink?.out ? resolveIn(jlink.cmd.cwd, jlink.out) : undefined;
  const image = jlinkDir ? nativeRuntime(inp.base, 'glibc', { shell: true, apt: false, distroless: false }).image : rt.image;
  const p = plan('java', () => ({ image, shell: true, apt: !isAlpine(inp.base), passwd: true }), ['mvn', 'mvnw', 'gradle', 'gradlew', 'javac', 'jar', 'ant']);
  p.tools = new Set(['java', 'keytool', 'jfr', 'jcmd']);
  // A layered Spring Boot jar extracted with layertools: the four layers, in order, where JarLauncher finds them.
  const layers = commandsOf(inp.steps, (c) => base(c.words[0] ?? '') === 'java' && c.words.includes('-Djarmode=layertools') && c.words.includes('extract'))[0];
  if (layers) {
    const dest = resolveIn(layers.cmd.cwd, optionValue(layers.cmd.words, ['--destination']) ?? '.');
    if (dest) {
      for (const l of ['dependencies', 'spring-boot-loader', 'snapshot-dependencies', 'application']) {
        p.artifacts.push({
          from: `${dest.replace(/\/$/, '')}/${l}/`,
          to: `${dest.replace(/\/$/, '')}/`,
          why: `the ${l} layer`,
          comment: l === 'dependencies' ? ['Added by the conversion: the Spring Boot layers, least often changed first (layertools extract).'] : undefined,
        });
      }
      return p;
    }
  }
  if (jlinkDir)
    p.artifacts.push({
      from: `${jlinkDir.replace(/\/$/, '')}/`,
      to: `${jlinkDir.replace(/\/$/, '')}/`,
      why: 'the Java runtime jlink made',
      comment: [`Added by the conversion: the runtime jlink made (${jlinkDir}); no JDK or JRE image needed.`],
    });
  if (rt.guessed && !jlinkDir)
    p.notes.push(`The builder's Java version is not in its tag: the runtime uses ${rt.image}; use the JRE of the JDK that builds the code (or newer).`);
  // The runtime command names the jar or classpath (java -jar app.jar / -cp out Main).
  for (const words of inp.runtimeWords) {
    if (base(words[0] ?? '') !== 'java') continue;
    const jar = optionValue(words, ['-jar']);
    const cp = optionValue(words, ['-cp', '-classpath', '--class-path']);
    const entries = [...(jar ? [jar] : []), ...(cp ? cp.split(':') : [])];
    for (const e of entries) {
      if (e === '' || e === '.') continue;
      const clean = e.replace(/\/\*$/, '/');
      const path = resolveIn(inp.finalWorkdir, clean);
      if (path) p.artifacts.push({ from: path, to: path, why: e.endsWith('.jar') ? 'the application jar' : 'the compiled classes' });
    }
  }
  if (!p.artifacts.length) {
    const maven = commandsOf(inp.steps, (c) => /^mvnw?$/.test(prog(c)))[0];
    if (maven && maven.cmd.cwd) {
      const pom = readContext(inp, `${maven.cmd.cwd.replace(/\/$/, '')}/pom.xml`);
      const jar = pom ? mavenJarName(pom) : undefined;
      if (jar) p.artifacts.push({ from: `${maven.cmd.cwd.replace(/\/$/, '')}/target/${jar}`, to: `/app/${jar}`, why: 'the jar `mvn package` builds' });
    }
  }
  // `CMD ./mvnw spring-boot:run` / `gradle bootRun` compile and run with the JDK: the runtime runs the jar.
  const step = [...inp.steps].reverse().find((s) => s.keyword === 'CMD' || s.keyword === 'ENTRYPOINT');
  const words = inp.runtimeWords[0];
  const jarArt = p.artifacts.find((a) => a.to.endsWith('.jar'));
  if (step && words && /^(mvnw?|gradlew?)$/.test(base(words[0] ?? '')) && words.some((w) => /^(spring-boot:run|bootRun|run|exec:java)$/.test(w)) && jarArt) {
    const line = `${step.keyword} ["java", "-jar", "${jarArt.to}"]`;
    p.rewriteCommand = (s) =>
      s === step
        ? {
            comment: ['Rewritten by the conversion: run the jar the build made (the runtime has no Maven or Gradle). Was:'],
            line,
            note: `${s.keyword} runs java -jar ${jarArt.to} instead of ${words.join(' ')}.`,
          }
        : undefined;
  }
  return p;
}

/** `<artifactId>-<version>.jar` (or `<finalName>.jar`) of a pom.xml without a parent-version indirection. */
export function mavenJarName(pom: string): string | undefined {
  const noParent = pom
    .replace(/<parent>[\s\S]*?<\/parent>/, '')
    .replace(/<dependencies>[\s\S]*?<\/dependencies>/g, '')
    .replace(/<plugins>[\s\S]*?<\/plugins>/g, '');
  const finalName = /<finalName>([^<$]+)<\/finalName>/.exec(noParent)?.[1];
  if (finalName) return `${finalName.trim()}.jar`;
  const id = /<artifactId>([^<$]+)<\/artifactId>/.exec(noParent)?.[1];
  const version = /<version>([^<$]+)<\/version>/.exec(noParent)?.[1];
  const packaging = /<packaging>([^<]+)<\/packaging>/.exec(noParent)?.[1];
  if (!id || !version || (packaging && packaging.trim() !== 'jar')) return undefined;
  return `${id.trim()}-${version.trim()}.jar`;
}

export const java: LanguageModule = {
  id: 'java',
  name: 'Java',
  ofImage: (ref: ImageRef) =>
    /^(maven|gradle|eclipse-temurin|openjdk|amazoncorretto|ibm-semeru-runtimes|sapmachine)$/.test(ref.name) || ref.path.toLowerCase() === 'azul/zulu-openjdk',
  isToolchainImage: (ref: ImageRef) => !/jre/.test(ref.tag ?? ''),
  buildsWith: (c: SimpleCommand) => /^(mvn|mvnw|gradle|gradlew|javac)$/.test(prog(c)),
  systemLibs: 'none',
  analyse: analyzeJava,
};
