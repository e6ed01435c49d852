/** The nifty useless model: a program of a few lines, in what should be a small image. */
const sum = 1 + 1;
console.log(`The nifty useless model, small and quick to build: 1 + 1 = ${sum}.`);
