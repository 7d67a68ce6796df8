import _ from 'lodash'; // positive
import moment from 'moment'; // positive
const lodash = require('lodash'); // positive

// negatives
import debounce from 'lodash/debounce';
import { format } from 'date-fns';
import { map } from 'lodash';
