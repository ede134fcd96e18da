// Container names: Docker's rule for the ones users give, and a random `adjective_surname`
// for the ones they don't. The word lists are berth's own.

import { randomInt } from 'node:crypto';
import { usageError } from '../../errors.js';

/** Docker's rule: two characters at least, and a leading `/` (the API's form) is allowed. */
const NAME_PATTERN = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** The name without its leading slash; a name Docker would refuse is a usage error. */
export function validateName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw usageError(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.startsWith('/') ? name.slice(1) : name;
}

export const ADJECTIVES: readonly string[] = [
  'agile', 'amber', 'ample', 'ardent', 'astute', 'balmy', 'bold', 'brave', 'breezy', 'bright',
  'brisk', 'calm', 'candid', 'careful', 'cheerful', 'clever', 'cosmic', 'crisp', 'curious', 'daring',
  'dapper', 'deft', 'devoted', 'diligent', 'dreamy', 'eager', 'earnest', 'elated', 'electric', 'elegant',
  'epic', 'fearless', 'fervent', 'festive', 'fluent', 'focused', 'frank', 'friendly', 'gallant', 'gentle',
  'gifted', 'glad', 'gleaming', 'graceful', 'hardy', 'hearty', 'honest', 'hopeful', 'humble', 'jolly',
  'jovial', 'keen', 'kind', 'lively', 'loyal', 'lucid', 'lucky', 'mellow', 'merry', 'mindful',
  'modest', 'nifty', 'nimble', 'noble', 'patient', 'peppy', 'placid', 'plucky', 'polite', 'proud',
  'quick', 'quiet', 'radiant', 'rapid', 'ready', 'serene', 'sharp', 'shiny', 'sincere', 'snappy',
  'spry', 'steady', 'stoic', 'sunny', 'swift', 'tender', 'tidy', 'upbeat', 'vibrant', 'vivid',
  'warm', 'witty', 'zealous', 'zesty',
];

/** Scientists, mathematicians and engineers whose work the machines running containers stand on. */
export const SURNAMES: readonly string[] = [
  'abel', 'adleman', 'agnesi', 'alhazen', 'allen', 'ampere', 'archimedes', 'aristarchus', 'aryabhata', 'avogadro',
  'babbage', 'backus', 'bardeen', 'bartik', 'bell', 'bernoulli', 'bhabha', 'bhaskara', 'bohr', 'boltzmann',
  'boole', 'borg', 'born', 'bose', 'boyle', 'bragg', 'brahe', 'brahmagupta', 'brattain', 'brooks',
  'burnell', 'cajal', 'cantor', 'carnot', 'carson', 'carver', 'cauchy', 'cavendish', 'cerf', 'chadwick',
  'chandrasekhar', 'chebyshev', 'clausius', 'codd', 'compton', 'conway', 'copernicus', 'corbato', 'cori', 'cormack',
  'coulomb', 'cray', 'crick', 'curie', 'darwin', 'davy', 'debye', 'dedekind', 'descartes', 'diffie',
  'dijkstra', 'dirac', 'doppler', 'edison', 'ehrenfest', 'einstein', 'engelbart', 'erdos', 'euclid', 'euler',
  'fahrenheit', 'faraday', 'fermat', 'fermi', 'feynman', 'fibonacci', 'fleming', 'foucault', 'fourier', 'franklin',
  'fresnel', 'galileo', 'galois', 'galvani', 'gauss', 'geiger', 'germain', 'gibbs', 'godel', 'goldwasser',
  'golgi', 'goodall', 'hale', 'hamilton', 'hamming', 'harvey', 'hawking', 'heisenberg', 'hellman', 'helmholtz',
  'herschel', 'hertz', 'higgs', 'hilbert', 'hoare', 'hodgkin', 'hooke', 'hopper', 'hubble', 'humboldt',
  'huygens', 'hypatia', 'jackson', 'jacobi', 'jemison', 'jenner', 'johnson', 'josephson', 'joule', 'kahan',
  'kapitsa', 'kay', 'kelvin', 'kepler', 'khwarizmi', 'kilby', 'kleinrock', 'knuth', 'koch', 'kolmogorov',
  'kovalevskaya', 'kwolek', 'lagrange', 'lamarr', 'lamport', 'landau', 'laplace', 'lavoisier', 'leavitt', 'lederberg',
  'leibniz', 'lemaitre', 'licklider', 'liskov', 'lister', 'lorentz', 'lorenz', 'lovelace', 'marconi', 'maxwell',
  'mayer', 'mcclintock', 'meitner', 'mendel', 'mendeleev', 'metcalfe', 'michelson', 'millikan', 'milner', 'minsky',
  'mirzakhani', 'moore', 'morse', 'mossbauer', 'napier', 'nash', 'naur', 'neumann', 'newton', 'nightingale',
  'noether', 'noyce', 'nygaard', 'ochoa', 'ohm', 'onsager', 'pascal', 'pasteur', 'pauli', 'pauling',
  'pavlov', 'payne', 'penrose', 'perlis', 'perlman', 'planck', 'poincare', 'poisson', 'ptolemy', 'pythagoras',
  'raman', 'ramanujan', 'rayleigh', 'ride', 'riemann', 'ritchie', 'rivest', 'roentgen', 'rubin', 'rutherford',
  'sagan', 'sakharov', 'salk', 'sammet', 'schrodinger', 'shamir', 'shannon', 'shockley', 'siegbahn', 'snell',
  'somerville', 'stokes', 'sutherland', 'tesla', 'tharp', 'thomson', 'townes', 'turing', 'vaughan', 'vesalius',
  'volta', 'watt', 'weinberg', 'wigner', 'wiles', 'wing', 'wozniak', 'wright', 'wu', 'yalow',
  'yao', 'yau', 'yonath', 'yukawa', 'zadeh', 'zeeman', 'zuse',
];

/** `adjective_surname`, e.g. `nimble_noether`. Uniqueness is the name reservation's job. */
export function randomName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${SURNAMES[randomInt(SURNAMES.length)]}`;
}
