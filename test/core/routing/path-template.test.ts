import { describe, expect, it } from 'vitest';
import { parsePathTemplate, pathSegments, type TemplateSegment } from '../../../src/core/routing/path-template.ts';

const lit = (text: string): TemplateSegment => ({ kind: 'literal', text });
const param = (name: string): TemplateSegment => ({ kind: 'param', name });
const rest: TemplateSegment = { kind: 'rest' };

describe('parsePathTemplate: valid templates', () => {
  it.each<[string, TemplateSegment[]]>([
    ['/', []],
    ['/users', [lit('users')]],
    ['/users/me', [lit('users'), lit('me')]],
    ['/users/:id', [lit('users'), param('id')]],
    ['/users/{id}', [lit('users'), param('id')]],
    ['/users/:user_id/posts/{post-id}', [lit('users'), param('user_id'), lit('posts'), param('post-id')]],
    ['/:_a1', [param('_a1')]],
    ['/static/*', [lit('static'), rest]],
    ['/*', [rest]],
    ['/a/:id/*', [lit('a'), param('id'), rest]],
    ['/users/', [lit('users'), lit('')]],
    ['/a//b', [lit('a'), lit(''), lit('b')]],
    ['/v1.0/a:b/x-y', [lit('v1.0'), lit('a:b'), lit('x-y')]],
    ['/%7Euser', [lit('%7Euser')]],
  ])('%s', (template, segments) => {
    expect(parsePathTemplate(template)).toEqual(segments);
  });

  it('allows the same name in two different templates and keeps : and {} params apart only by spelling', () => {
    expect(parsePathTemplate('/:id')).toEqual(parsePathTemplate('/{id}'));
  });
});

describe('parsePathTemplate: invalid templates', () => {
  it.each<[string, string, string]>([
    ['no leading slash', 'users', '"users" must start with /'],
    ['empty', '', '"" must start with /'],
    ['a bare star', '*', '"*" must start with /'],
    ['a query', '/users?x=1', '"/users?x=1" must be a path only (no query, fragment or spaces)'],
    ['a fragment', '/users#top', '"/users#top" must be a path only (no query, fragment or spaces)'],
    ['a space', '/my users', '"/my users" must be a path only (no query, fragment or spaces)'],
    ['a tab', '/a\tb', '"/a\tb" must be a path only (no query, fragment or spaces)'],
    ['a star before the end', '/*/users', '"/*/users": * may only be the last segment'],
    ['two stars', '/a/*/*', '"/a/*/*": * may only be the last segment'],
    ['a duplicate :param', '/:id/:id', '"/:id/:id": parameter "id" appears twice'],
    ['a duplicate param in both spellings', '/:id/x/{id}', '"/:id/x/{id}": parameter "id" appears twice'],
    ['a star inside a segment', '/a*b', '"/a*b": segment "a*b" must be literal text, :name, {name}, or a final *'],
    ['a trailing star glued to text', '/static*', '"/static*": segment "static*" must be literal text, :name, {name}, or a final *'],
    ['an unclosed brace', '/{x', '"/{x": segment "{x" must be literal text, :name, {name}, or a final *'],
    ['an unopened brace', '/x}', '"/x}": segment "x}" must be literal text, :name, {name}, or a final *'],
    ['empty braces', '/{}', '"/{}": segment "{}" must be literal text, :name, {name}, or a final *'],
    ['a bare colon', '/:', '"/:": segment ":" must be literal text, :name, {name}, or a final *'],
    ['a param name starting with a digit', '/:1d', '"/:1d": segment ":1d" must be literal text, :name, {name}, or a final *'],
    ['a param with text after it', '/{id}.json', '"/{id}.json": segment "{id}.json" must be literal text, :name, {name}, or a final *'],
    ['a colon and braces together', '/:{id}', '"/:{id}": segment ":{id}" must be literal text, :name, {name}, or a final *'],
  ])('%s', (_what, template, message) => {
    expect(parsePathTemplate(template)).toBe(message);
  });
});

describe('pathSegments', () => {
  it.each<[string, string[]]>([
    ['/', []],
    ['', []],
    ['/?a=1', []],
    ['/a', ['a']],
    ['/a/b', ['a', 'b']],
    ['/a/b?x=1&y=/c', ['a', 'b']],
    ['/a/b/', ['a', 'b', '']],
    ['/a/?q', ['a', '']],
    ['//', ['', '']],
    ['/a//b', ['a', '', 'b']],
    ['/a?', ['a']],
    ['/a?b?c', ['a']],
  ])('%j → %j', (url, segments) => {
    expect(pathSegments(url)).toEqual(segments);
  });
});
