// The nifty useless model, on Deno: a forecast, and the processor this Deno binary was built for.
// (Deno knows its own global; the declaration tells the TypeScript checker what this file uses.)
declare const Deno: { version: { deno: string }; build: { arch: string } };

const forecast = 'Tomorrow: 100 % chance of containers.';
console.log(`${forecast} (Deno ${Deno.version.deno}, built for ${Deno.build.arch})`);
