/** The nifty useless model: it cannot predict anything, but it knows its sums. */
const sum = 1 + 1;
console.log(`The nifty useless model is running: 1 + 1 = ${sum}.`);
